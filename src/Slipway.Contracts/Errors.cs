namespace Slipway.Contracts;

/// <summary>
/// An <c>application/problem+json</c> error body, carrying Heroku's <c>id</c> and
/// <c>message</c> next to the RFC 9457 fields so clients of either style can read it.
/// </summary>
public sealed record ProblemResponse(string? Type, string? Title, int Status, string? Detail, string? Id, string? Message);
