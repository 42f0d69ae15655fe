using NbnEdge.Firmware.Estimation;
using NbnEdge.Firmware.Protocol;

namespace NbnEdge.Link;

/// <summary>
/// Re-runs the firmware's estimator on a received spectrum's raw codes, on the host: the shared
/// core is the same code the board runs, so a board that is healthy sends exactly this estimate.
/// A difference means a firmware/host version mismatch or corrupted state on the board.
/// </summary>
public static class EstimateCheck
{
    /// <summary>The estimate <paramref name="estimator"/> gives for <paramref name="spectrum"/> (complete spectra only).</summary>
    public static EstimateInfo Recompute(ReceivedSpectrum spectrum, ISpectrumEstimator estimator)
    {
        if (spectrum.Incomplete)
        {
            throw new ArgumentException("only a complete spectrum has the codes the board estimated from", nameof(spectrum));
        }

        var report = new EstimateReport();
        // The estimator may keep the arrays' contents as scratch: give it copies.
        estimator.Estimate((int[])spectrum.BiasCodes.Clone(), (int[])spectrum.SignalCodes.Clone(), spectrum.TotalPoints, spectrum.Backward, report);
        return new EstimateInfo(spectrum.SpectrumId, spectrum.DeviceEpoch, 0, report.DeltaUeV, report.TEffMk, report.BiasOffsetUv, report.Quality, report.Valid);
    }

    /// <summary>Whether the board's ESTIMATE equals the host's recomputation field for field (seq aside).</summary>
    public static bool MatchesBoard(ReceivedSpectrum spectrum, ISpectrumEstimator estimator)
    {
        if (spectrum.Estimate is not { } sent)
        {
            return false;
        }

        EstimateInfo mine = Recompute(spectrum, estimator);
        return mine with { Seq = sent.Seq } == sent;
    }
}
