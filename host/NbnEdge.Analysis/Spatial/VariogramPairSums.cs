namespace NbnEdge.Analysis.Spatial;

/// <summary>
/// The pair sums behind an empirical semivariogram, kept apart per spatial block so that a block
/// bootstrap can resample them: per block and lag bin, Σ(Δᵢ − Δⱼ)²/2, Σ(σᵢ² + σⱼ²)/2 (the
/// fit-error nugget), Σhᵢⱼ and the pair count. A pair belongs to the block of its first point
/// and keeps its true distance, so resampling blocks never creates lags that were not measured.
/// </summary>
internal sealed class VariogramPairSums
{
    public VariogramPairSums(int blocks, int bins)
    {
        Blocks = blocks;
        Bins = bins;
        HalfSquares = new double[blocks * bins];
        FitNugget = new double[blocks * bins];
        LagSum = new double[blocks * bins];
        Pairs = new double[blocks * bins];
    }

    public int Blocks { get; }
    public int Bins { get; }
    public double[] HalfSquares { get; }
    public double[] FitNugget { get; }
    public double[] LagSum { get; }
    public double[] Pairs { get; }

    public void Add(int block, int bin, double halfSquare, double fitNugget, double lagNm)
    {
        int k = block * Bins + bin;
        HalfSquares[k] += halfSquare;
        FitNugget[k] += fitNugget;
        LagSum[k] += lagNm;
        Pairs[k] += 1;
    }

    /// <summary>
    /// The binned variogram over the blocks listed (each as often as it is listed): mean lag,
    /// semivariance with the fit-error nugget removed, and pair count per bin.
    /// </summary>
    public void Collect(ReadOnlySpan<int> blocks, double[] lagNm, double[] correctedMeV2, double[] pairs)
    {
        var half = new double[Bins];
        var nugget = new double[Bins];
        Array.Clear(lagNm);
        Array.Clear(pairs);
        foreach (int b in blocks)
        {
            int o = b * Bins;
            for (int k = 0; k < Bins; k++)
            {
                half[k] += HalfSquares[o + k];
                nugget[k] += FitNugget[o + k];
                lagNm[k] += LagSum[o + k];
                pairs[k] += Pairs[o + k];
            }
        }
        for (int k = 0; k < Bins; k++)
        {
            if (pairs[k] > 0)
            {
                lagNm[k] /= pairs[k];
                correctedMeV2[k] = (half[k] - nugget[k]) / pairs[k];
            }
            else correctedMeV2[k] = 0;
        }
    }

    /// <summary>Every block once: the variogram of the data themselves.</summary>
    public int[] AllBlocks()
    {
        var all = new int[Blocks];
        for (int i = 0; i < all.Length; i++) all[i] = i;
        return all;
    }

    /// <summary>Raw and nugget sums over every block, per bin (for reporting).</summary>
    public (double[] Raw, double[] Nugget) Totals()
    {
        var raw = new double[Bins];
        var nugget = new double[Bins];
        var pairs = new double[Bins];
        for (int b = 0; b < Blocks; b++)
            for (int k = 0; k < Bins; k++)
            {
                raw[k] += HalfSquares[b * Bins + k];
                nugget[k] += FitNugget[b * Bins + k];
                pairs[k] += Pairs[b * Bins + k];
            }
        for (int k = 0; k < Bins; k++)
        {
            raw[k] = pairs[k] > 0 ? raw[k] / pairs[k] : double.NaN;
            nugget[k] = pairs[k] > 0 ? nugget[k] / pairs[k] : double.NaN;
        }
        return (raw, nugget);
    }
}
