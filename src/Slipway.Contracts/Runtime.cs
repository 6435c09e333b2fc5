using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Slipway.Contracts;

/// <summary>
/// One process type of an app's formation. <see cref="Healthcheck"/> (web only) and
/// <see cref="BootTimeout"/> (seconds, the app's own) say when a new web process counts as up.
/// <see cref="Size"/> is the one size Slipway runs processes at (<c>standard</c>).
/// </summary>
public sealed record FormationResponse(string Type, int Quantity, string Command, string? Healthcheck, int BootTimeout, NamedRef App, DateTimeOffset? UpdatedAt, string Size);

/// <summary>
/// A change to one process type: a new quantity, and/or (web) a health check path ("" removes it).
/// <see cref="Size"/>, when given, must be the one size Slipway has (<c>standard</c>).
/// </summary>
public sealed record FormationUpdate(string? Type, FormationQuantity? Quantity, string? Healthcheck, string? Size = null);

/// <summary>
/// <c>PATCH /apps/{app}/formation</c>, as Heroku's batch update (<c>{"updates": [...]}</c>), plus the
/// app's boot timeout in seconds. Akkeris's bare array of updates is the same request without a boot
/// timeout. Scaling makes no release.
/// </summary>
public sealed record FormationPatchRequest(List<FormationUpdate>? Updates, int? BootTimeout);

/// <summary>
/// A formation update's quantity: a number (<c>2</c>), or a string as Heroku's CLI sends it, <c>"2"</c>,
/// or <c>"+1"</c> / <c>"-1"</c> to change the quantity by that much (never below 0).
/// </summary>
[JsonConverter(typeof(FormationQuantityConverter))]
public readonly record struct FormationQuantity(int Value, bool Relative)
{
    public static implicit operator FormationQuantity(int value) => new(value, false);

    /// <summary>The quantity this asks for, given the one there is now.</summary>
    public int ApplyTo(int current) => Relative ? (int)Math.Max(0, (long)current + Value) : Value;

    public override string ToString() => Relative ? Value.ToString("+0;-0", CultureInfo.InvariantCulture) : Value.ToString(CultureInfo.InvariantCulture);
}

/// <summary>Reads a <see cref="FormationQuantity"/> from a JSON number or a numeric string; writes it back the same way.</summary>
public sealed class FormationQuantityConverter : JsonConverter<FormationQuantity>
{
    public override FormationQuantity Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Number)
        {
            return reader.TryGetInt32(out var number) ? new FormationQuantity(number, false) : throw Invalid();
        }

        var text = reader.TokenType == JsonTokenType.String ? reader.GetString()!.Trim() : throw Invalid();
        var relative = text.StartsWith('+') || text.StartsWith('-');
        return int.TryParse(relative ? text[1..] : text, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? new FormationQuantity(text.StartsWith('-') ? -value : value, relative)
            : throw Invalid();
    }

    public override void Write(Utf8JsonWriter writer, FormationQuantity value, JsonSerializerOptions options)
    {
        if (value.Relative)
        {
            writer.WriteStringValue(value.ToString());
        }
        else
        {
            writer.WriteNumberValue(value.Value);
        }
    }

    private static JsonException Invalid() => new("'quantity' must be a whole number, or a string such as \"2\", \"+1\" or \"-1\".");
}

/// <summary>
/// One running process (<c>web.1</c>): <see cref="State"/> is <c>starting</c>, <c>up</c> or <c>crashed</c>,
/// since <see cref="Since"/> (also <see cref="UpdatedAt"/>, Heroku's word for it); <see cref="Release"/>
/// is the release it runs (null only while that release is being removed with its app).
/// </summary>
public sealed record DynoResponse(
    string Name,
    string Type,
    string State,
    DateTimeOffset Since,
    int ReleaseVersion,
    string Command,
    int Restarts,
    string Size,
    ReleaseRef? Release,
    NamedRef App,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

/// <summary>
/// A release's release phase: whether the slug has one, how it ended (<see cref="ExitCode"/> null
/// while it has not finished, or when it timed out), and what it printed.
/// </summary>
public sealed record ReleaseOutputResponse(int Version, string Status, bool ReleasePhase, int? ExitCode, string Output);

/// <summary><c>POST /apps/{app}/log-sessions</c>: how many recent lines, and whether to keep following.</summary>
public sealed record LogSessionRequest(int? Lines, bool? Tail);

/// <summary>
/// Where to <c>GET</c> the log stream the request described: <see cref="LogplexUrl"/> needs no token
/// (it is signed, and works for a limited time) and answers plain text, one line per entry, or
/// <c>text/event-stream</c> when asked.
/// </summary>
public sealed record LogSessionResponse(string LogplexUrl, int Lines, bool Tail, DateTimeOffset ExpiresAt);
