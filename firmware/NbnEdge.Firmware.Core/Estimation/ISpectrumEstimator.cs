using NbnEdge.Firmware.Protocol;

namespace NbnEdge.Firmware.Estimation
{
    /// <summary>
    /// The on-board gap estimate of one finished, averaged spectrum. Implementations use integer
    /// (fixed-point) arithmetic only, allocate nothing per call, and must give the same result on the
    /// board and on the host, which recomputes it bit for bit from the sent codes.
    /// </summary>
    public interface ISpectrumEstimator
    {
        /// <summary>
        /// Estimates from <paramref name="count"/> points in sweep order and fills
        /// <paramref name="result"/> (all fields but SpectrumId); sets result.Valid to false when it cannot.
        /// </summary>
        /// <param name="biasCodes">averaged bias codes; × bias_uV_per_lsb gives the junction bias in µV</param>
        /// <param name="signalCodes">averaged lock-in X codes (dI/dV up to a scale)</param>
        /// <param name="count">points</param>
        /// <param name="backward">the bias decreased through the sweep</param>
        /// <param name="result">preallocated result to fill</param>
        void Estimate(int[] biasCodes, int[] signalCodes, int count, bool backward, EstimateReport result);
    }
}
