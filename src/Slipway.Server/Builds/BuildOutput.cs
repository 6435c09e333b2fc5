using System.Text;

namespace Slipway.Server.Builds;

/// <summary>One line of build output; <see cref="Err"/> when it came on stderr.</summary>
public sealed record OutputLine(string Text, bool Err = false);

/// <summary>
/// The output of one build while it runs: lines are appended by the engine and read by any
/// number of streams, each of which waits for more until the output is completed. Past
/// <c>maxBytes</c> lines are dropped and one note says so.
/// </summary>
public sealed class BuildOutput(int maxBytes)
{
    private readonly Lock _gate = new();
    private readonly List<OutputLine> _lines = [];
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _bytes;
    private bool _truncated;
    private bool _completed;

    public bool Completed
    {
        get
        {
            lock (_gate)
            {
                return _completed;
            }
        }
    }

    /// <summary>A buildpack-style heading: <c>-----&gt; text</c>.</summary>
    public void Heading(string text) => Write("-----> " + text);

    /// <summary>A line under a heading, indented as buildpacks do.</summary>
    public void Info(string text) => Write("       " + text);

    public void Write(string text, bool err = false)
    {
        // A line is one line: stray carriage returns would break the text and SSE framings.
        text = text.Replace('\r', ' ').Replace('\n', ' ');
        lock (_gate)
        {
            if (_completed || _truncated)
            {
                return;
            }

            _bytes += Encoding.UTF8.GetByteCount(text) + 1;
            if (_bytes > maxBytes)
            {
                _truncated = true;
                _lines.Add(new OutputLine($"[output truncated: builds keep at most {maxBytes} bytes of output (Slipway:Builds:MaxOutputBytes)]", true));
            }
            else
            {
                _lines.Add(new OutputLine(text, err));
            }

            Signal();
        }
    }

    /// <summary>Ends the output: readers drain what is there and stop.</summary>
    public void Complete()
    {
        lock (_gate)
        {
            _completed = true;
            Signal();
        }
    }

    public List<OutputLine> Snapshot()
    {
        lock (_gate)
        {
            return [.. _lines];
        }
    }

    /// <summary>
    /// The lines from index <paramref name="from"/> on, whether the output is complete (then
    /// those are the last), and a task that completes when anything changes after this read.
    /// </summary>
    public (List<OutputLine> Lines, bool Completed, Task Changed) Read(int from)
    {
        lock (_gate)
        {
            var lines = from < _lines.Count ? _lines.GetRange(from, _lines.Count - from) : [];
            return (lines, _completed, _changed.Task);
        }
    }

    private void Signal()
    {
        _changed.TrySetResult();
        _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
