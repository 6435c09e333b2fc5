using System.Text.Json;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Slipway.Server.Data;

/// <summary>
/// Stores a collection property as JSON in one text column, the same way on SQLite and
/// PostgreSQL. EF Core cannot see into such a column, so each use says how two values compare
/// (the change tracker's <see cref="ValueComparer{T}"/>).
/// </summary>
internal static class JsonColumn
{
    public static PropertyBuilder<T> HasJsonConversion<T>(this PropertyBuilder<T> property, ValueComparer<T> comparer)
        where T : new() => property.HasConversion(
            new ValueConverter<T, string>(
                v => JsonSerializer.Serialize(v, JsonSerializerOptions.Default),
                s => string.IsNullOrEmpty(s) ? new T() : JsonSerializer.Deserialize<T>(s, JsonSerializerOptions.Default) ?? new T()),
            comparer);

    /// <summary>Compares maps by their entries (names are ordinal).</summary>
    public static ValueComparer<Dictionary<string, TValue>> ByEntries<TValue>() => new(
        (a, b) => a != null && b != null && a.Count == b.Count && !a.Except(b).Any(),
        d => d.Aggregate(0, (hash, kv) => HashCode.Combine(hash, kv.Key, kv.Value)),
        d => new Dictionary<string, TValue>(d, StringComparer.Ordinal));

    /// <summary>Compares lists of value-like records item by item.</summary>
    public static ValueComparer<List<T>> ByItems<T>() => new(
        (a, b) => a != null && b != null && a.SequenceEqual(b),
        l => l.Count,
        l => l.ToList());

    /// <summary>Compares snapshots by their JSON; they are written once and never changed in place.</summary>
    public static ValueComparer<T> ByJson<T>()
        where T : new() => new(
        (a, b) => JsonSerializer.Serialize(a, JsonSerializerOptions.Default) == JsonSerializer.Serialize(b, JsonSerializerOptions.Default),
        v => JsonSerializer.Serialize(v, JsonSerializerOptions.Default).GetHashCode(StringComparison.Ordinal),
        v => JsonSerializer.Deserialize<T>(JsonSerializer.Serialize(v, JsonSerializerOptions.Default), JsonSerializerOptions.Default) ?? new T());
}
