using System.Globalization;
using System.Text.Json;

namespace OpsConsole.Core.Gateway;

/// <summary>
/// Reads a page of <c>GET /v1/settlements</c> (a bare JSON array of Toss Settlement objects) field by field, so
/// that a field that is missing or of the wrong type refuses the page with the line (1-based index on the page
/// and <c>transactionKey</c>) and the field named — instead of a serializer storing 0 or null in its place.
/// <list type="bullet">
/// <item>Required: paymentKey, transactionKey, orderId, method (text; null is refused on a settlement line),
/// amount, fee, supplyAmount, vat, payOutAmount, approvedAt, soldDate, paidOutDate, currency.</item>
/// <item>Alternative spellings accepted on purpose: <c>suppliedAmount</c> (Toss's API reference) for
/// <c>supplyAmount</c>; when both are present they must agree.</item>
/// <item>Optional (absent or null = not reported, never 0): mId, interestFee, fees[], card{…}, easyPay{…},
/// cancel{…}. When present they are type-checked like the required fields.</item>
/// </list>
/// Unknown fields are ignored (Toss adds fields without notice).
/// </summary>
public static class TossSettlementReader
{
    /// <summary>The lines of the page, or null and <paramref name="problem"/> saying which line and field.</summary>
    public static IReadOnlyList<TossSettlement>? Read(string json, out string? problem)
    {
        problem = null;
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            problem = $"the settlement page is not JSON: {e.Message}";
            return null;
        }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Array)
            {
                problem = $"the settlement page is a JSON {doc.RootElement.ValueKind.ToString().ToLowerInvariant()}, not an array of settlement lines";
                return null;
            }
            var lines = new List<TossSettlement>(doc.RootElement.GetArrayLength());
            var index = 0;
            foreach (var element in doc.RootElement.EnumerateArray())
            {
                index++;
                try
                {
                    lines.Add(ReadLine(element));
                }
                catch (FieldException e)
                {
                    var key = element.ValueKind == JsonValueKind.Object &&
                              element.TryGetProperty("transactionKey", out var k) && k.ValueKind == JsonValueKind.String
                        ? k.GetString()
                        : "?";
                    problem = $"settlement line {index} of the page (transactionKey {key}): {e.Message}";
                    return null;
                }
            }
            return lines;
        }
    }

    private sealed class FieldException(string message) : Exception(message);

    private static TossSettlement ReadLine(JsonElement e)
    {
        if (e.ValueKind != JsonValueKind.Object)
            throw new FieldException($"is a JSON {e.ValueKind.ToString().ToLowerInvariant()}, not an object");
        // First: the line's amounts are read in its currency's units (726.24 USD = 72624 minor units), exactly.
        // Which currencies are accepted is PgAnswerCheck's (Pg:Currencies), with the line named.
        var currency = RequiredString(e, "currency");
        if (currency.Length != 3 || !currency.All(char.IsAsciiLetterUpper))
            throw new FieldException($"field 'currency' is '{Shorten(currency)}', not an ISO 4217 code");
        var supply = OptionalMoney(e, "supplyAmount", currency);
        var supplied = OptionalMoney(e, "suppliedAmount", currency);
        if (supply is null && supplied is null)
            throw new FieldException("field 'supplyAmount' (or 'suppliedAmount') is missing");
        if (supply is not null && supplied is not null && supply != supplied)
            throw new FieldException($"'supplyAmount' {supply} and 'suppliedAmount' {supplied} disagree");
        if (!e.TryGetProperty("method", out var methodElement))
            throw new FieldException("field 'method' is missing");
        if (methodElement.ValueKind != JsonValueKind.String)
            throw new FieldException(methodElement.ValueKind == JsonValueKind.Null
                ? "field 'method' is null (a settled transaction has a method)"
                : $"field 'method' is a JSON {Kind(methodElement)}, not a string");
        return new TossSettlement(
            RequiredString(e, "paymentKey"),
            RequiredString(e, "transactionKey"),
            RequiredString(e, "orderId"),
            methodElement.GetString(),
            RequiredMoney(e, "amount", currency),
            RequiredMoney(e, "fee", currency),
            (supply ?? supplied)!.Value,
            RequiredMoney(e, "vat", currency),
            RequiredMoney(e, "payOutAmount", currency),
            RequiredTimestamp(e, "approvedAt"),
            RequiredDate(e, "soldDate"),
            RequiredDate(e, "paidOutDate"),
            currency,
            OptionalString(e, "mId"),
            OptionalMoney(e, "interestFee", currency),
            ReadFees(e, currency),
            ReadCard(e),
            Object(e, "easyPay") is { } easyPay ? new TossEasyPay(OptionalString(easyPay, "provider", "easyPay.")) : null,
            Object(e, "cancel") is { } cancel
                ? new TossSettlementCancel(RequiredString(cancel, "transactionKey", "cancel."),
                    RequiredMoney(cancel, "cancelAmount", currency, "cancel."), RequiredTimestamp(cancel, "canceledAt", "cancel."))
                : null);
    }

    private static List<TossSettlementFee>? ReadFees(JsonElement e, string currency)
    {
        if (!e.TryGetProperty("fees", out var fees) || fees.ValueKind == JsonValueKind.Null) return null;
        if (fees.ValueKind != JsonValueKind.Array)
            throw new FieldException($"field 'fees' is a JSON {Kind(fees)}, not an array");
        var list = new List<TossSettlementFee>();
        var i = 0;
        foreach (var f in fees.EnumerateArray())
        {
            var prefix = $"fees[{i++}].";
            if (f.ValueKind != JsonValueKind.Object)
                throw new FieldException($"field '{prefix[..^1]}' is a JSON {Kind(f)}, not an object");
            var type = RequiredString(f, "type", prefix);
            if (!TossFeeTypes.All.Contains(type))
                throw new FieldException($"field '{prefix}type' is '{type}', not one of {string.Join(", ", TossFeeTypes.All)}");
            if (list.Any(x => x.Type == type))
                throw new FieldException($"field 'fees' has type {type} twice");
            list.Add(new TossSettlementFee(type, RequiredMoney(f, "fee", currency, prefix)));
        }
        return list;
    }

    private static TossSettlementCard? ReadCard(JsonElement e)
    {
        if (Object(e, "card") is not { } c) return null;
        int? months = null;
        if (OptionalLong(c, "installmentPlanMonths", "card.") is { } m)
            months = m is >= 0 and <= 120 ? (int)m : throw new FieldException($"field 'card.installmentPlanMonths' {m} is not 0 to 120");
        bool? interestFree = null;
        if (c.TryGetProperty("isInterestFree", out var f) && f.ValueKind != JsonValueKind.Null)
            interestFree = f.ValueKind switch
            {
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                _ => throw new FieldException($"field 'card.isInterestFree' is a JSON {Kind(f)}, not a boolean"),
            };
        return new TossSettlementCard(OptionalString(c, "issuerCode", "card."), OptionalString(c, "acquirerCode", "card."),
            months, interestFree, OptionalString(c, "interestPayer", "card."), OptionalString(c, "acquireStatus", "card."));
    }

    private static JsonElement? Object(JsonElement e, string name)
    {
        if (!e.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return null;
        return v.ValueKind == JsonValueKind.Object ? v : throw new FieldException($"field '{name}' is a JSON {Kind(v)}, not an object");
    }

    private static JsonElement Required(JsonElement e, string name, string prefix)
    {
        if (!e.TryGetProperty(name, out var v)) throw new FieldException($"field '{prefix}{name}' is missing");
        if (v.ValueKind == JsonValueKind.Null) throw new FieldException($"field '{prefix}{name}' is null");
        return v;
    }

    private static string RequiredString(JsonElement e, string name, string prefix = "")
    {
        var v = Required(e, name, prefix);
        return v.ValueKind == JsonValueKind.String
            ? v.GetString()!
            : throw new FieldException($"field '{prefix}{name}' is a JSON {Kind(v)}, not a string");
    }

    private static string? OptionalString(JsonElement e, string name, string prefix = "")
    {
        if (!e.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return null;
        return v.ValueKind == JsonValueKind.String
            ? v.GetString()
            : throw new FieldException($"field '{prefix}{name}' is a JSON {Kind(v)}, not a string");
    }

    /// <summary>An amount in the currency's units (KRW: whole won) as minor units; more decimals are refused, never rounded.</summary>
    private static long RequiredMoney(JsonElement e, string name, string currency, string prefix = "") =>
        Money(Required(e, name, prefix), prefix + name, currency);

    private static long? OptionalMoney(JsonElement e, string name, string currency, string prefix = "") =>
        !e.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null ? null : Money(v, prefix + name, currency);

    private static long Money(JsonElement v, string field, string currency)
    {
        if (v.ValueKind != JsonValueKind.Number)
            throw new FieldException($"field '{field}' is a JSON {Kind(v)}, not a number");
        if (currency == Common.Money.LedgerCurrency && !v.TryGetInt64(out _))
            throw new FieldException($"field '{field}' is {Shorten(v.GetRawText())}, not a whole number of KRW");
        return TossWire.Minor(v, field, currency, out var problem) ?? throw new FieldException(problem!);
    }

    private static long? OptionalLong(JsonElement e, string name, string prefix = "") =>
        !e.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null ? null : Long(v, prefix + name);

    private static long Long(JsonElement v, string field)
    {
        if (v.ValueKind != JsonValueKind.Number)
            throw new FieldException($"field '{field}' is a JSON {Kind(v)}, not a number");
        return v.TryGetInt64(out var n)
            ? n
            : throw new FieldException($"field '{field}' is {Shorten(v.GetRawText())}, not a whole number of KRW");
    }

    private static DateTimeOffset RequiredTimestamp(JsonElement e, string name, string prefix = "")
    {
        var text = RequiredString(e, name, prefix);
        return text.Length >= 16 && text[10] == 'T' && HasOffset(text) &&
               DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var at)
            ? at
            : throw new FieldException($"field '{prefix}{name}' is '{Shorten(text)}', not an ISO-8601 timestamp with an offset");
    }

    private static bool HasOffset(string text) =>
        text.EndsWith('Z') || (text.Length > 6 && text[^6] is '+' or '-' && text[^3] == ':');

    private static DateOnly RequiredDate(JsonElement e, string name)
    {
        var text = RequiredString(e, name);
        return DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)
            ? d
            : throw new FieldException($"field '{name}' is '{Shorten(text)}', not a date as yyyy-MM-dd");
    }

    private static string Kind(JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.True or JsonValueKind.False => "boolean",
        _ => v.ValueKind.ToString().ToLowerInvariant(),
    };

    private static string Shorten(string s) => s.Length > 40 ? s[..40] + "…" : s;
}
