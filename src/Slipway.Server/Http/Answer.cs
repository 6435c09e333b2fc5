using System.Diagnostics.CodeAnalysis;

namespace Slipway.Server.Http;

/// <summary>
/// What a feature service answers: the value it made or found, or the <see cref="Http.Refusal"/>
/// that says why not. An expected "no" is an answer, not an exception. A service returns either
/// one as it is (both convert implicitly); its caller checks <see cref="Refused"/> once.
/// </summary>
public sealed class Answer<T>
{
    private Answer(T? value, Refusal? refusal)
    {
        Value = value;
        Refusal = refusal;
    }

    /// <summary>What the service made or found; set unless <see cref="Refused"/>.</summary>
    public T? Value { get; }

    public Refusal? Refusal { get; }

    [MemberNotNullWhen(true, nameof(Refusal))]
    [MemberNotNullWhen(false, nameof(Value))]
    public bool Refused => Refusal is not null;

    public static implicit operator Answer<T>(T value) => new(value ?? throw new ArgumentNullException(nameof(value)), null);

    public static implicit operator Answer<T>(Refusal refusal) => new(default, refusal ?? throw new ArgumentNullException(nameof(refusal)));
}
