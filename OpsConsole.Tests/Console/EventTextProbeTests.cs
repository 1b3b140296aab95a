using CsCheck;
using OpsConsole.Core.Timeline;

namespace OpsConsole.Tests.Console;

public sealed class EventTextProbeTests
{
    private static Func<string, double> Common(params string[] trigrams) =>
        t => trigrams.Contains(t) ? 0.5 : 0.001;

    [Fact]
    public void ZeroPaddedNumber_IsProbedWithoutItsPadding() =>
        Assert.Equal("04821937", EventTextProbe.Choose("0004821937", Common("000", "004")));

    [Fact]
    public void NeedleWithoutCommonTrigrams_IsProbedWhole() =>
        Assert.Equal("reject_card_company", EventTextProbe.Choose("reject_card_company", Common("000")));

    [Fact]
    public void NeedleOfOnlyCommonTrigrams_IsProbedWhole() =>
        Assert.Equal("0000", EventTextProbe.Choose("0000", Common("000")));

    [Fact]
    public void Trigrams_AreLowerCasedAndNeverSpanPunctuation()
    {
        Assert.Equal(["ord", "000", "001"], EventTextProbe.Trigrams("ORD-00001"));
        Assert.Empty(EventTextProbe.Trigrams("a-b c"));
    }

    [Fact]
    public void ShareLookups_UseLowerCase() =>
        Assert.Equal("RKEY-77", EventTextProbe.Choose("ORDERKEY-77", Common("ord", "rde", "der", "erk")));

    [Fact]
    public void Probe_IsAlwaysASubstringOfTheNeedle_FreeOfCommonTrigramsUnlessItIsTheNeedle()
    {
        var alphabet = Gen.Char["0a1b-_"];
        Gen.Select(Gen.String[alphabet, 0, 24], Gen.String[Gen.Char["0a1b"], 3, 3].Array[0, 6])
            .Sample((needle, common) =>
            {
                var share = Common(common);
                var probe = EventTextProbe.Choose(needle, share);
                Assert.Contains(probe, needle, StringComparison.Ordinal);
                if (probe != needle)
                {
                    Assert.DoesNotContain(EventTextProbe.Trigrams(probe), t => share(t) > EventTextProbe.CommonShare);
                    Assert.NotEmpty(EventTextProbe.Trigrams(probe));
                }
            }, iter: 5_000, print: t => $"needle '{t.Item1}', common [{string.Join(", ", t.Item2)}]");
    }
}
