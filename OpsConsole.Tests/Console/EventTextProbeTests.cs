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

    [Fact]
    public void EstimatedCandidates_CountsSampledTextsHoldingEveryTrigram_OrTheWholeTableWithoutTrigrams()
    {
        var sample = new EventTextSample(new Dictionary<string, double>(), ["alpha beta", "alpha gamma", "delta"],
            DateTimeOffset.UnixEpoch, tableRows: 3_000);

        Assert.Equal(2_000, sample.EstimatedCandidates("alpha"));
        Assert.Equal(1_000, sample.EstimatedCandidates("beta alpha")); // every trigram, in any order
        Assert.Equal(0, sample.EstimatedCandidates("omega"));
        Assert.Equal(3_000, sample.EstimatedCandidates("a-b")); // no trigram: the index cannot help
    }

    [Fact]
    public void EstimatedCandidates_CountsTheIndexReadingLongPostingListsOfWordsThatNeverMeet()
    {
        // Two words in nearly every event, never together: no candidates, but long posting lists to read.
        var shares = EventTextProbe.Trigrams("approved company").ToDictionary(t => t, _ => 0.9);
        var sample = new EventTextSample(shares, ["approved 100", "card company declined"], DateTimeOffset.UnixEpoch,
            tableRows: 20_000_000);

        Assert.True(sample.EstimatedCandidates("approved company") > 500_000);
        Assert.Equal(0, new EventTextSample(new Dictionary<string, double>(), ["approved 100"], DateTimeOffset.UnixEpoch,
            tableRows: 20_000_000).EstimatedCandidates("approved company"));
    }
}
