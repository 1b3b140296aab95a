using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using OpsConsole.Core.Common;

namespace OpsConsole.Core.Gateway;

/// <summary>
/// Money on Toss's wire is a JSON number in the currency's units (<c>"totalAmount": 726.24</c> with
/// <c>"currency": "USD"</c>; KRW has no decimals); inside OpsConsole it is <c>long</c> minor units
/// (<see cref="MinorUnits"/>). This converts the money fields of the Payment object in both directions, exactly: an
/// amount with more decimals than its currency has is refused with the field named, never rounded.
/// (Settlement lines are read by <see cref="TossSettlementReader"/> with the same rule and written by
/// <see cref="WriteSettlements"/>.)
/// </summary>
public static class TossWire
{
    private static readonly string[] PaymentMoney = ["totalAmount", "balanceAmount"];
    private static readonly string[] CancelMoney = ["cancelAmount"];
    private static readonly string[] SettlementMoney = ["amount", "fee", "supplyAmount", "vat", "payOutAmount", "interestFee"];

    /// <summary>A Payment object with its amounts in minor units, or null and the problem (field named).</summary>
    public static TossPayment? ReadPayment(string json, out string? problem)
    {
        problem = null;
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(json);
        }
        catch (JsonException e)
        {
            problem = $"the payment is not JSON: {e.Message}";
            return null;
        }
        if (node is not JsonObject payment)
        {
            problem = "the payment is not a JSON object";
            return null;
        }
        if (payment["currency"] is not JsonValue cv || cv.GetValueKind() != JsonValueKind.String)
        {
            problem = "field 'currency' is missing or not a string";
            return null;
        }
        var currency = cv.GetValue<string>();
        problem = ToMinor(payment, PaymentMoney, currency, "");
        if (problem is null && payment["cancels"] is JsonArray cancels)
        {
            for (var i = 0; i < cancels.Count && problem is null; i++)
                if (cancels[i] is JsonObject c)
                    problem = ToMinor(c, CancelMoney, currency, $"cancels[{i}].");
        }
        return problem is null ? payment.Deserialize<TossPayment>(TossPaymentsClient.Json) : null;
    }

    /// <summary>The Payment object as Toss writes it: amounts in the currency's units.</summary>
    public static JsonObject WritePayment(TossPayment payment)
    {
        var node = JsonSerializer.SerializeToNode(payment, TossPaymentsClient.Json)!.AsObject();
        ToMajor(node, PaymentMoney, payment.Currency);
        if (node["cancels"] is JsonArray cancels)
            foreach (var c in cancels.OfType<JsonObject>())
                ToMajor(c, CancelMoney, payment.Currency);
        return node;
    }

    /// <summary>Settlement lines as Toss writes them: amounts (and fee components, cancel amount) in the currency's units.</summary>
    public static JsonArray WriteSettlements(IEnumerable<TossSettlement> lines)
    {
        var array = new JsonArray();
        foreach (var line in lines)
        {
            var node = JsonSerializer.SerializeToNode(line, TossPaymentsClient.Json)!.AsObject();
            ToMajor(node, SettlementMoney, line.Currency);
            if (node["fees"] is JsonArray fees)
                foreach (var f in fees.OfType<JsonObject>()) ToMajor(f, ["fee"], line.Currency);
            if (node["cancel"] is JsonObject cancel) ToMajor(cancel, CancelMoney, line.Currency);
            array.Add(node);
        }
        return array;
    }

    /// <summary>
    /// <paramref name="value"/> (a JSON number in <paramref name="currency"/>'s units) in minor units, or the problem
    /// naming <paramref name="field"/>.
    /// </summary>
    public static long? Minor(JsonElement value, string field, string currency, out string? problem)
    {
        problem = null;
        if (value.ValueKind != JsonValueKind.Number)
        {
            problem = $"field '{field}' is a JSON {value.ValueKind.ToString().ToLowerInvariant()}, not a number";
            return null;
        }
        if (!value.TryGetDecimal(out var amount))
        {
            problem = $"field '{field}' is {Shorten(value.GetRawText())}, not an amount";
            return null;
        }
        if (!MinorUnits.TryToMinor(amount, currency, out var minor))
        {
            problem = $"field '{field}' is {Shorten(value.GetRawText())}: {MinorUnits.Describe(amount, currency)} (never rounded)";
            return null;
        }
        return minor;
    }

    private static string? ToMinor(JsonObject o, IEnumerable<string> fields, string currency, string prefix)
    {
        foreach (var field in fields)
        {
            if (o[field] is not JsonValue v) continue; // absent or null: the record's own rules decide
            var minor = Minor(JsonSerializer.SerializeToElement(v), prefix + field, currency, out var problem);
            if (problem is not null) return problem;
            o[field] = minor;
        }
        return null;
    }

    private static void ToMajor(JsonObject o, IEnumerable<string> fields, string currency)
    {
        if (MinorUnits.ExponentOf(currency) == 0) return;
        foreach (var field in fields)
            if (o[field] is JsonValue v && v.TryGetValue<long>(out var minor))
                o[field] = MinorUnits.ToMajor(minor, currency);
    }

    private static string Shorten(string s) => s.Length > 40 ? s[..40] + "…" : s;

    /// <summary>An amount in minor units as Toss writes it in <paramref name="currency"/> (for logs and summaries).</summary>
    public static string Text(long minor, string currency) =>
        MinorUnits.ToMajor(minor, currency).ToString(CultureInfo.InvariantCulture);
}
