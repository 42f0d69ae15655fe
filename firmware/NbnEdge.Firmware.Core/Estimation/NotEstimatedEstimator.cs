using NbnEdge.Firmware.Protocol;

namespace NbnEdge.Firmware.Estimation
{
    /// <summary>An estimator that always reports "not estimated" (for boards that should not estimate).</summary>
    public sealed class NotEstimatedEstimator : ISpectrumEstimator
    {
        /// <inheritdoc />
        public void Estimate(int[] biasCodes, int[] signalCodes, int count, bool backward, EstimateReport result)
        {
            result.ClearEstimate();
        }
    }
}
