using System.Data.Common;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using OpsConsole.Core.Data;

namespace OpsConsole.Core.Timeline;

/// <summary>
/// Chooses the part of a text-search needle that probes the event texts' trigram indexes (PostgreSQL).
/// <para>A GIN trigram scan reads the posting list of every trigram of the pattern, and its cost follows the
/// longest of them. Zero-padded numbers, JSON field names and fixed phrases put some trigrams into most events
/// (<c>000</c> is in every order number), so a needle such as <c>0004821937</c> reads millions of entries to
/// find one row. The probe is the longest stretch of the needle free of such common trigrams: a substring of
/// the needle, so every event containing the needle contains it too, and the exact needle is checked on the
/// rows it finds. The search's answer never changes, only the work.</para>
/// </summary>
public static class EventTextProbe
{
    /// <summary>A trigram in more than this share of the sampled events is common.</summary>
    public const double CommonShare = 0.02;

    /// <summary>
    /// The longest substring of <paramref name="needle"/> whose every trigram (three letters or digits, as
    /// pg_trgm extracts them, ignoring case) has a share of at most <see cref="CommonShare"/> in
    /// <paramref name="share"/>, holding at least one trigram; the needle itself when no shorter one qualifies.
    /// </summary>
    public static string Choose(string needle, Func<string, double> share)
    {
        if (needle.Length < 4) return needle;
        var lower = needle.ToLowerInvariant();
        if (lower.Length != needle.Length) return needle; // a case mapping changed the length: keep it exact
        var common = new bool[needle.Length - 2];
        var any = false;
        for (var i = 0; i < common.Length; i++)
        {
            common[i] = IsTrigram(lower, i) && share(lower.Substring(i, 3)) > CommonShare;
            any |= common[i];
        }
        if (!any) return needle;

        // Longest [start, end) containing no common window (a window at i spans i..i+2) and at least one trigram.
        var (bestStart, bestLength) = (0, 0);
        var start = 0;
        for (var i = 0; i <= common.Length; i++)
        {
            if (i < common.Length && !common[i]) continue;
            // Windows start..i-1 are clean; the stretch may run to the character before window i ends.
            var end = i < common.Length ? i + 2 : needle.Length;
            var length = end - start;
            if (length > bestLength && HasTrigram(lower, start, end))
                (bestStart, bestLength) = (start, length);
            start = i + 1;
        }
        return bestLength == 0 ? needle : needle.Substring(bestStart, bestLength);
    }

    /// <summary>The distinct trigrams of a text, lower-cased: every three consecutive letters or digits.</summary>
    public static IEnumerable<string> Trigrams(string text)
    {
        var lower = text.ToLowerInvariant();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i + 3 <= lower.Length; i++)
            if (IsTrigram(lower, i) && seen.Add(lower.Substring(i, 3)))
                yield return lower.Substring(i, 3);
    }

    private static bool IsTrigram(string s, int i) =>
        char.IsLetterOrDigit(s[i]) && char.IsLetterOrDigit(s[i + 1]) && char.IsLetterOrDigit(s[i + 2]);

    private static bool HasTrigram(string s, int start, int end)
    {
        for (var i = start; i + 3 <= end; i++)
            if (IsTrigram(s, i)) return true;
        return false;
    }
}

/// <summary>
/// A random sample of the payment events' texts (PostgreSQL <c>TABLESAMPLE SYSTEM</c>, about
/// <see cref="SampleRows"/> events), kept for <see cref="MaxAge"/>: the share of events holding each trigram
/// (for <see cref="EventTextProbe"/>) and the texts themselves, to tell a needle seen often (the planner's
/// newest-first walk finds its page quickly) from a rare one (the trigram probe finds it). Empty on SQLite,
/// whose text search scans anyway.
/// </summary>
public sealed class EventTextStatistics(TimeProvider? clock = null)
{
    public const int SampleRows = 20_000;

    /// <summary>How many sampled texts are kept to look a needle up in.</summary>
    public const int KeptTexts = 4_000;

    public static readonly TimeSpan MaxAge = TimeSpan.FromHours(1);

    private readonly TimeProvider _clock = clock ?? TimeProvider.System;
    private readonly SemaphoreSlim _refresh = new(1, 1);
    private volatile EventTextSample? _sample;

    /// <summary>The current sample (taken now if missing or older than <see cref="MaxAge"/>).</summary>
    public async Task<EventTextSample> SampleAsync(OpsDbContext db, CancellationToken cancellationToken)
    {
        var sample = _sample;
        if (sample is not null && _clock.GetUtcNow() - sample.TakenAt <= MaxAge) return sample;
        await _refresh.WaitAsync(cancellationToken);
        try
        {
            sample = _sample;
            if (sample is null || _clock.GetUtcNow() - sample.TakenAt > MaxAge)
                _sample = sample = await TakeAsync(db, _clock.GetUtcNow(), cancellationToken);
            return sample;
        }
        finally
        {
            _refresh.Release();
        }
    }

    private static async Task<EventTextSample> TakeAsync(OpsDbContext db, DateTimeOffset now, CancellationToken ct)
    {
        if (db.Provider != DatabaseProvider.Postgres) return new EventTextSample(new Dictionary<string, double>(), [], now, 0);
        var conn = db.Database.GetDbConnection();
        var opened = conn.State != System.Data.ConnectionState.Open;
        if (opened) await conn.OpenAsync(ct);
        try
        {
            double rows;
            await using (var estimate = conn.CreateCommand())
            {
                estimate.CommandText = "SELECT GREATEST(reltuples, 0) FROM pg_class WHERE oid = 'payment_events'::regclass";
                rows = Convert.ToDouble(await estimate.ExecuteScalarAsync(ct) ?? 0d, CultureInfo.InvariantCulture);
            }
            var percent = rows <= SampleRows ? 100d : Math.Max(0.001, 100d * SampleRows / rows);
            await using var query = conn.CreateCommand();
            query.CommandText = string.Create(CultureInfo.InvariantCulture,
                $"SELECT message, request_summary, response_summary FROM payment_events TABLESAMPLE SYSTEM ({percent:R}) LIMIT {SampleRows * 2}");
            var keepEvery = Math.Max(1, (int)Math.Ceiling(Math.Min(rows, SampleRows) / KeptTexts));
            var counts = new Dictionary<string, int>(StringComparer.Ordinal);
            var texts = new List<string>();
            var events = 0;
            await using (var reader = await query.ExecuteReaderAsync(ct))
            {
                while (await reader.ReadAsync(ct))
                {
                    events++;
                    var text = string.Join('\n', Text(reader, 0), Text(reader, 1), Text(reader, 2)).ToLowerInvariant();
                    foreach (var trigram in EventTextProbe.Trigrams(text))
                        counts[trigram] = counts.GetValueOrDefault(trigram) + 1;
                    if (texts.Count < KeptTexts && (events - 1) % keepEvery == 0) texts.Add(text); // spread evenly
                }
            }
            var shares = events == 0
                ? new Dictionary<string, double>()
                : counts.ToDictionary(c => c.Key, c => (double)c.Value / events, StringComparer.Ordinal);
            return new EventTextSample(shares, texts, now, Math.Max(rows, events));
        }
        finally
        {
            if (opened) await conn.CloseAsync();
        }
    }

    private static string Text(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? "" : reader.GetString(ordinal);
}

/// <summary>What <see cref="EventTextStatistics"/> sampled.</summary>
public sealed class EventTextSample(IReadOnlyDictionary<string, double> shares, IReadOnlyList<string> lowerCaseTexts,
    DateTimeOffset takenAt, double tableRows)
{
    public DateTimeOffset TakenAt => takenAt;

    /// <summary>
    /// The work of a trigram search for <paramref name="probe"/>, in candidate events: the events it would hand
    /// over for the exact check (the kept texts holding every one of its trigrams, scaled to the table; all of
    /// it when it has none, as pg_trgm cannot use the index then), or the posting lists it must read when
    /// those are longer (common words that never meet still make the index read millions of entries).
    /// </summary>
    public double EstimatedCandidates(string probe)
    {
        var trigrams = EventTextProbe.Trigrams(probe).ToArray();
        if (trigrams.Length == 0) return tableRows;
        // The GIN scan's own work: the posting-list entries of the probe's trigrams, scaled to the table.
        var postingEntries = trigrams.Sum(Share) * tableRows / ScanEntriesPerCandidate;
        var holding = lowerCaseTexts.Count(t => trigrams.All(g => t.Contains(g, StringComparison.Ordinal)));
        var candidates = lowerCaseTexts.Count == 0 ? 0 : tableRows * holding / lowerCaseTexts.Count;
        return Math.Max(candidates, postingEntries);
    }

    /// <summary>
    /// Reading a posting-list entry costs a small fraction of checking a candidate row: a probe whose trigrams
    /// fill more entries than this many candidates' worth is as slow as that many candidates.
    /// </summary>
    private const double ScanEntriesPerCandidate = 200;

    /// <summary>The share of sampled events holding the trigram (lower case).</summary>
    public double Share(string trigram) => shares.GetValueOrDefault(trigram);

    /// <summary>Whether a kept sampled text contains the needle, ignoring case: the needle is not rare.</summary>
    public bool Contains(string needle)
    {
        var lower = needle.ToLowerInvariant();
        foreach (var text in lowerCaseTexts)
            if (text.Contains(lower, StringComparison.Ordinal)) return true;
        return false;
    }
}
