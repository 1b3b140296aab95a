using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace OpsConsole.Core.Common.Tabular;

/// <summary>
/// How to read a tabular export (CSV or Excel) of an outside party: its encoding, which row holds the header,
/// the date/time/number formats, and which header names hold which field ("role"). A JSON file:
/// <code>{"name","encoding","headerRow","dateFormat","timeFormat"?,"numberFormat"?,"delimiter"?,"columns":{role: header}}</code>.
/// The roles a reader needs are its own (bank statements: date, time, credit, debit, amount, counterparty, memo,
/// balance, reference; a PG settlement file can use others), so one profile shape serves every feed.
/// </summary>
public sealed record MappingProfile
{
    public required string Name { get; init; }

    /// <summary><c>UTF-8</c> (default), or <c>CP949</c>/<c>EUC-KR</c> (Korean banks' usual export).</summary>
    public string Encoding { get; init; } = "UTF-8";

    /// <summary>1-based row of the header (banks put titles above it); rows below it are data.</summary>
    public int HeaderRow { get; init; } = 1;

    /// <summary>.NET custom format of the date column, e.g. <c>yyyy-MM-dd</c>, <c>yyyy.MM.dd</c>, <c>yyyyMMdd</c>,
    /// or <c>yyyy-MM-dd HH:mm:ss</c> when the date column holds the time too.</summary>
    public required string DateFormat { get; init; }

    /// <summary>Format of the time column when there is one, e.g. <c>HH:mm:ss</c>.</summary>
    public string? TimeFormat { get; init; }

    /// <summary>
    /// How numbers are written: <c>#,##0</c> (default: <c>,</c> groups thousands, <c>.</c> marks decimals, as in
    /// <c>1,234,000</c>) or <c>#.##0,00</c> (<c>.</c> groups, <c>,</c> marks decimals).
    /// </summary>
    public string? NumberFormat { get; init; }

    /// <summary>CSV field separator (default <c>,</c>; <c>\t</c> for tab-separated exports).</summary>
    public string? Delimiter { get; init; }

    /// <summary>Role → header text of the column holding it.</summary>
    public required IReadOnlyDictionary<string, string> Columns { get; init; }

    /// <summary>The PG whose files this profile reads (settlement files; the name of its PG connection).</summary>
    public string? Pg { get; init; }

    /// <summary>.NET custom format of date-and-time cells, e.g. <c>yyyy-MM-dd HH:mm:ss</c> (settlement files' approval time).</summary>
    public string? DateTimeFormat { get; init; }

    /// <summary>IANA zone of the file's times, which carry no offset (Korean PGs: <c>Asia/Seoul</c>).</summary>
    public string? TimeZone { get; init; }

    /// <summary>Role → the value of every row, for what the file does not carry but its owner states (e.g. <c>"currency": "KRW"</c>).</summary>
    public IReadOnlyDictionary<string, string>? Fixed { get; init; }

    /// <summary>Role → (text in the file → our text), e.g. <c>"method": {"신용카드": "카드"}</c>. Text not listed is kept as is.</summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>>? Values { get; init; }

    /// <summary>How a cancel row is recognised (settlement files).</summary>
    public CancelRule? Cancel { get; init; }

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNameCaseInsensitive = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    /// <summary>Reads and checks a profile; a bad one is refused with every problem named (<c>PROFILE_INVALID</c>).</summary>
    public static MappingProfile Parse(string json, string origin)
    {
        MappingProfile? profile;
        try
        {
            profile = JsonSerializer.Deserialize<MappingProfile>(json, JsonOptions);
        }
        catch (JsonException e)
        {
            throw Invalid(origin, e.Message);
        }
        if (profile is null) throw Invalid(origin, "the file is empty");
        var problems = profile.Problems().ToList();
        if (problems.Count > 0) throw Invalid(origin, string.Join("; ", problems));
        return profile;
    }

    public static MappingProfile Load(string path) => Parse(File.ReadAllText(path), path);

    private IEnumerable<string> Problems()
    {
        if (string.IsNullOrWhiteSpace(Name)) yield return "\"name\" is required";
        if (HeaderRow < 1) yield return "\"headerRow\" must be 1 or more";
        if (string.IsNullOrWhiteSpace(DateFormat)) yield return "\"dateFormat\" is required";
        if (ResolveEncoding(Encoding) is null) yield return $"\"encoding\" '{Encoding}' is not supported (UTF-8, CP949 or EUC-KR)";
        if (NumberFormat is not null && ParseNumberFormat(NumberFormat) is null)
            yield return $"\"numberFormat\" '{NumberFormat}' is not supported (#,##0 or #.##0,00)";
        if (Delimiter is not null && Separator(Delimiter) is null) yield return "\"delimiter\" must be one character (or \\t)";
        if (TimeZone is not null && !TimeZoneInfo.TryFindSystemTimeZoneById(TimeZone, out _))
            yield return $"\"timeZone\" '{TimeZone}' is not a known time zone (e.g. Asia/Seoul)";
        if (Columns is null || Columns.Count == 0) yield return "\"columns\" is required";
        else
        {
            foreach (var (role, header) in Columns)
                if (string.IsNullOrWhiteSpace(header)) yield return $"column \"{role}\" names no header";
        }
    }

    private static DomainException Invalid(string origin, string reason) =>
        DomainException.BadInput("PROFILE_INVALID", $"Mapping profile {origin} is invalid: {reason}.");

    public string? Column(string role) => Columns.TryGetValue(role, out var header) ? header : null;

    /// <summary>The text encoding named by <c>encoding</c>; throws for an unsupported name (checked on load).</summary>
    [JsonIgnore]
    public Encoding TextEncoding => ResolveEncoding(Encoding) ?? throw Invalid(Name, $"encoding '{Encoding}'");

    /// <summary>Strict decoders: a byte sequence that is not valid in the encoding is an error, never a '?'.</summary>
    public static Encoding? ResolveEncoding(string name) => name.Trim().ToUpperInvariant().Replace("_", "-") switch
    {
        "UTF-8" or "UTF8" => new UTF8Encoding(false, throwOnInvalidBytes: true),
        "CP949" or "MS949" or "EUC-KR" or "KS-C-5601-1987" or "WINDOWS-949" =>
            CodePagesEncodingProvider.Instance.GetEncoding(949, EncoderFallback.ExceptionFallback, DecoderFallback.ExceptionFallback),
        _ => null,
    };

    [JsonIgnore]
    public char FieldSeparator => Delimiter is null ? ',' : Separator(Delimiter) ?? ',';

    private static char? Separator(string d) => d switch
    {
        "\\t" or "\t" or "tab" => '\t',
        { Length: 1 } => d[0],
        _ => null,
    };

    /// <summary>(group separator, decimal separator) of the profile's number format.</summary>
    [JsonIgnore]
    public (char Group, char Decimal) NumberSeparators => ParseNumberFormat(NumberFormat ?? "#,##0") ?? (',', '.');

    private static (char, char)? ParseNumberFormat(string format) => format.Trim() switch
    {
        "#,##0" or "#,##0.00" or "#,##0.##" or "0" or "0.00" => (',', '.'),
        "#.##0" or "#.##0,00" or "#.##0,##" or "0,00" => ('.', ','),
        _ => null,
    };

    /// <summary>The culture-free date parse of the profile's <see cref="DateFormat"/>.</summary>
    public bool TryParseDate(string text, out DateOnly date, out TimeOnly? time)
    {
        time = null;
        if (DateTime.TryParseExact(text.Trim(), DateFormat, CultureInfo.InvariantCulture, DateTimeStyles.None, out var dt))
        {
            date = DateOnly.FromDateTime(dt);
            if (DateFormat.Contains('H') || DateFormat.Contains('h')) time = TimeOnly.FromDateTime(dt);
            return true;
        }
        date = default;
        return false;
    }
}

/// <summary>
/// How a settlement file shows a cancel: <c>{"by": "negativeAmount"}</c> (cancel rows carry negative amounts) or
/// <c>{"by": "status", "values": ["취소", "부분취소"]}</c> (the <c>status</c> column holds one of the values; amounts are
/// written positive and stored negative).
/// </summary>
public sealed record CancelRule
{
    public required string By { get; init; }
    public IReadOnlyList<string>? Values { get; init; }
}
