using System.Text.Json;
using System.Text.Json.Serialization;
using OpsConsole.Core.Warehouse;

namespace OpsConsole.Tests.Warehouse;

/// <summary>
/// <c>ARRAY&lt;STRUCT&gt;</c> query parameters in the shape of the BigQuery REST v2 reference (QueryParameterType.structTypes,
/// QueryParameterValue.structValues; a NULL field has no <c>value</c>).
/// </summary>
public sealed class BigQueryStructParameterTests
{
    [Fact]
    public void StructArray_IsSentAsAnArrayOfStructsWithTypedFields()
    {
        var p = BigQueryParameter.StructArray("deposits", [("id", "INT64"), ("memo", "STRING"), ("booking_date", "DATE")],
            [["7", "토스페이먼츠", "2026-03-05"], ["8", null, "2026-03-06"]]);

        var json = JsonSerializer.Serialize(p.ToJson(), new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        });

        Assert.Equal(
            """{"name":"deposits","parameterType":{"type":"ARRAY","arrayType":{"type":"STRUCT","structTypes":[{"name":"id","type":{"type":"INT64"}},{"name":"memo","type":{"type":"STRING"}},{"name":"booking_date","type":{"type":"DATE"}}]}},"parameterValue":{"arrayValues":[{"structValues":{"id":{"value":"7"},"memo":{"value":"토스페이먼츠"},"booking_date":{"value":"2026-03-05"}}},{"structValues":{"id":{"value":"8"},"memo":{},"booking_date":{"value":"2026-03-06"}}}]}}""",
            json);
        Assert.Equal("@deposits ARRAY<STRUCT<id INT64, memo STRING, booking_date DATE>> = [2 rows]", p.ToString());
    }

    [Fact]
    public void StructArray_RefusesARowWithTheWrongNumberOfValues() =>
        Assert.Throws<ArgumentException>(() => BigQueryParameter.StructArray("x", [("a", "INT64")], [["1", "2"]]));
}
