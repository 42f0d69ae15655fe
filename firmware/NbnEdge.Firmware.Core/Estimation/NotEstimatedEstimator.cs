using NbnEdge.Firmware.Protocol;

namespace NbnEdge.Firmware.Estimation
{
    /// <summary>Placeholder until the fixed-point gap estimator exists: reports "not estimated".</summary>
    public sealed class NotEstimatedEstimator : ISpectrumEstimator
    {
        /// <inheritdoc />
        public void Estimate(int[] biasCodes, int[] signalCodes, int count, bool backward, EstimateReport result)
        {
            result.DeltaUeV = 0;
            result.TEffMk = 0;
            result.BiasOffsetUv = 0;
            result.Quality = 0;
            result.Valid = false;
        }
    }
}
