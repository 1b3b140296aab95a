using System.Globalization;
using OpsConsole.Core.Common;
using OpsConsole.Core.Common.Tabular;

namespace OpsConsole.Core.Reconciliation;

/// <summary>
/// Reads the rows of a PG's settlement file (CSV or .xlsx, read by <see cref="TabularCsvReader"/> /
/// <see cref="TabularFileReader"/>) through a <see cref="MappingProfile"/>: each row's cells are converted with the
/// profile's date, date-time and number formats into the settlement CSV's own fields and then checked by the same
/// rules (<see cref="SettlementLineParser"/>), so a profiled file is imported with exactly the semantics of the
/// settlement CSV. Errors name the file's column (the Korean header). Nothing missing is ever filled in: a field
/// the file lacks must be stated by the profile (<c>fixed</c>) or the file is refused. Pure: no I/O.
/// </summary>
public static class SettlementFileProfile
{
    /// <summary>Column roles a settlement profile may name.</summary>
    public static readonly IReadOnlySet<string> Roles = new HashSet<string>(StringComparer.Ordinal)
    {
        "paymentKey", "transactionKey", "orderId", "method", "amount", "fee", "supplyAmount", "vat", "payOutAmount",
        "approvedAt", "approvedTime", "soldDate", "paidOutDate", "currency", "mId", "status",
    };

    /// <summary>Roles that must come from a column (or, for the marked ones, may be stated by <c>fixed</c>).</summary>
    private static readonly string[] RequiredColumns =
        ["paymentKey", "transactionKey", "orderId", "amount", "fee", "vat", "payOutAmount", "approvedAt", "soldDate", "paidOutDate"];

    private static readonly string[] ColumnOrFixed = ["method", "currency"];
    private static readonly string[] FixableRoles = ["method", "currency", "mId"];
    private static readonly string[] MoneyRoles = ["amount", "fee", "supplyAmount", "vat", "payOutAmount"];

    /// <summary>Problems of a profile used for settlement files (empty when it fits).</summary>
    public static List<string> ProfileProblems(MappingProfile profile)
    {
        var problems = new List<string>();
        foreach (var role in profile.Columns.Keys.Where(r => !Roles.Contains(r)))
            problems.Add($"unknown column role \"{role}\" (known: {string.Join(", ", Roles)})");
        foreach (var role in RequiredColumns.Where(r => profile.Column(r) is null))
            problems.Add($"column \"{role}\" is required");
        var fixedValues = profile.Fixed ?? new Dictionary<string, string>();
        foreach (var role in fixedValues.Keys.Where(r => !FixableRoles.Contains(r)))
            problems.Add($"\"fixed\" may state {string.Join(", ", FixableRoles)} only, not \"{role}\"");
        foreach (var role in ColumnOrFixed.Concat(["mId"]))
        {
            var hasColumn = profile.Column(role) is not null;
            var hasFixed = fixedValues.ContainsKey(role);
            if (hasColumn && hasFixed) problems.Add($"\"{role}\" is both a column and fixed: name one");
            else if (!hasColumn && !hasFixed && ColumnOrFixed.Contains(role))
                problems.Add($"\"{role}\" needs a column or a \"fixed\" value (the file's {role}); it is never assumed");
        }
        if (profile.TimeZone is null) problems.Add("\"timeZone\" is required (the zone of the file's times, e.g. Asia/Seoul)");
        if (profile.Column("approvedTime") is null && string.IsNullOrWhiteSpace(profile.DateTimeFormat))
            problems.Add("\"dateTimeFormat\" is required for the approvedAt column (or name an \"approvedTime\" column)");
        switch (profile.Cancel?.By)
        {
            case null:
                problems.Add("\"cancel\" is required: {\"by\": \"negativeAmount\"} or {\"by\": \"status\", \"values\": [...]}");
                break;
            case "negativeAmount":
                break;
            case "status":
                if (profile.Column("status") is null) problems.Add("cancel by status needs a \"status\" column");
                if (profile.Cancel.Values is not { Count: > 0 }) problems.Add("cancel by status needs the \"values\" that mean a cancel");
                break;
            default:
                problems.Add($"\"cancel\".\"by\" '{profile.Cancel.By}' is not negativeAmount or status");
                break;
        }
        return problems;
    }

    /// <summary>Throws <c>PROFILE_INVALID</c> unless the profile can read settlement files.</summary>
    public static MappingProfile Require(MappingProfile profile)
    {
        if (ProfileProblems(profile) is { Count: > 0 } problems)
            throw DomainException.BadInput("PROFILE_INVALID",
                $"Mapping profile {profile.Name} cannot read settlement files: {string.Join("; ", problems)}.");
        return profile;
    }

    /// <summary>
    /// One data row, its cells given by header (<paramref name="cell"/>), to a settlement line; every problem is added to
    /// <paramref name="errors"/> with the row's line and the column's header.
    /// </summary>
    public static ParsedSettlementLine? Parse(int line, Func<string, object?> cell, MappingProfile profile, List<SettlementRowError> errors)
    {
        var reported = new HashSet<string>(StringComparer.Ordinal);
        var own = new List<SettlementRowError>();
        var fields = new Dictionary<string, string?>(StringComparer.Ordinal);
        object? Cell(string role) => profile.Column(role) is { } header ? cell(header) : null;
        string HeaderOf(string role) => profile.Column(role) ?? role;
        void Error(string role, string message)
        {
            reported.Add(role);
            own.Add(new(line, HeaderOf(role), message));
        }

        foreach (var role in new[] { "paymentKey", "transactionKey", "orderId", "mId" })
            fields[role] = profile.Column(role) is not null ? TabularValues.Text(Cell(role)) : profile.Fixed?.GetValueOrDefault(role);

        var methodText = profile.Column("method") is not null ? TabularValues.Text(Cell("method")) : profile.Fixed?.GetValueOrDefault("method");
        fields["method"] = methodText is not null && profile.Values?.GetValueOrDefault("method")?.TryGetValue(methodText, out var ours) == true
            ? ours
            : methodText;

        var currency = profile.Column("currency") is not null ? TabularValues.Text(Cell("currency")) : profile.Fixed?.GetValueOrDefault("currency");
        fields["currency"] = currency;

        // Cancel: by status (amounts written positive) or by a negative amount (nothing to do).
        var cancel = false;
        if (profile.Cancel?.By == "status")
        {
            var status = TabularValues.Text(Cell("status"));
            if (status is null) Error("status", "is empty (the profile recognises cancels by this column)");
            else cancel = profile.Cancel.Values!.Contains(status, StringComparer.Ordinal);
        }

        // Money, in the profile's number format, to minor units of the line's currency.
        var moneyCurrency = currency is { Length: 3 } && currency.All(char.IsAsciiLetterUpper) ? currency : null;
        var money = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var role in MoneyRoles.Where(r => profile.Column(r) is not null))
        {
            var raw = Cell(role);
            var text = TabularValues.Text(raw);
            if (text is null) Error(role, "is empty");
            else if (moneyCurrency is null) reported.Add(role); // the currency's own error says why
            else if (!TabularValues.TryDecimal(raw, profile, out var value) || !MinorUnits.TryToMinor(value, moneyCurrency, out var minor))
                Error(role, $"'{text}' is not an amount in {moneyCurrency} as {profile.NumberFormat ?? "#,##0"}");
            else money[role] = minor;
        }
        if (cancel)
        {
            foreach (var role in money.Keys.ToList())
            {
                if (money[role] < 0 && role == "amount")
                    Error(role, $"is negative on a cancel row: the profile shows cancels by {HeaderOf("status")}, with positive amounts");
                money[role] = -money[role];
            }
        }
        else if (profile.Cancel?.By == "status" && money.TryGetValue("amount", out var a) && a < 0)
            Error("amount", $"is negative but {HeaderOf("status")} '{TabularValues.Text(Cell("status"))}' is not a cancel");
        if (profile.Column("supplyAmount") is null && money.TryGetValue("fee", out var fee) && money.TryGetValue("vat", out var vat))
            money["supplyAmount"] = fee - vat; // the format's identity: fee = supplyAmount + vat
        foreach (var role in MoneyRoles)
            fields[role] = money.TryGetValue(role, out var m) ? m.ToString(CultureInfo.InvariantCulture) : null;

        // Dates: the profile's date format (or its date-time format: a date-time column read for its date).
        foreach (var role in new[] { "soldDate", "paidOutDate" })
        {
            var raw = Cell(role);
            if (TabularValues.Text(raw) is not { } text) Error(role, "is empty");
            else if (TryDate(raw, profile, out var date)) fields[role] = date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            else Error(role, $"'{text}' is not a date as {profile.DateFormat}");
        }
        fields["approvedAt"] = ApprovedAt(profile, Cell("approvedAt"), Cell("approvedTime"), Error);

        var parserErrors = new List<SettlementRowError>();
        var parsed = SettlementLineParser.Parse(line, name => fields.GetValueOrDefault(name), parserErrors);
        errors.AddRange(own);
        errors.AddRange(parserErrors.Where(e => !reported.Contains(e.Field)).Select(e => e with { Field = HeaderOf(e.Field) }));
        return own.Count == 0 ? parsed : null;
    }

    private static bool TryDate(object? raw, MappingProfile profile, out DateOnly date)
    {
        if (TabularValues.TryDate(raw, profile, out date, out _)) return true;
        if (raw is string s && profile.DateTimeFormat is { } f &&
            DateTime.TryParseExact(s.Trim(), f, CultureInfo.InvariantCulture, DateTimeStyles.None, out var dt))
        {
            date = DateOnly.FromDateTime(dt);
            return true;
        }
        return false;
    }

    /// <summary>The approval's local time in the profile's zone, as ISO-8601 with the zone's offset then.</summary>
    private static string? ApprovedAt(MappingProfile profile, object? at, object? time, Action<string, string> error)
    {
        if (TabularValues.Text(at) is not { } text)
        {
            error("approvedAt", "is empty");
            return null;
        }
        DateTime local;
        if (profile.Column("approvedTime") is not null)
        {
            if (!TabularValues.TryDate(at, profile, out var d, out _))
            {
                error("approvedAt", $"'{text}' is not a date as {profile.DateFormat}");
                return null;
            }
            if (TabularValues.Text(time) is not { } timeText)
            {
                error("approvedTime", "is empty");
                return null;
            }
            if (!TabularValues.TryTime(time, profile, out var t))
            {
                error("approvedTime", $"'{timeText}' is not a time as {profile.TimeFormat ?? "HH:mm:ss"}");
                return null;
            }
            local = d.ToDateTime(t);
        }
        else if (at is DateTime dt) local = dt;
        else if (!DateTime.TryParseExact(text, profile.DateTimeFormat, CultureInfo.InvariantCulture, DateTimeStyles.None, out local))
        {
            error("approvedAt", $"'{text}' is not a date and time as {profile.DateTimeFormat}");
            return null;
        }
        var zone = TimeZoneInfo.FindSystemTimeZoneById(profile.TimeZone!);
        local = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        return new DateTimeOffset(local, zone.GetUtcOffset(local)).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);
    }
}
