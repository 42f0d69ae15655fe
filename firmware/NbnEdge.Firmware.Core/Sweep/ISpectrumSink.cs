namespace NbnEdge.Firmware.Sweep
{
    /// <summary>Receives each finished, averaged spectrum from the <see cref="SweepAssembler"/>.</summary>
    public interface ISpectrumSink
    {
        /// <summary>
        /// One spectrum: <paramref name="count"/> points in sweep order. The arrays belong to the
        /// assembler and are reused for the next spectrum: consume or copy before returning.
        /// </summary>
        /// <param name="biasCodes">averaged bias-monitor codes per point</param>
        /// <param name="signalCodes">averaged lock-in X codes per point</param>
        /// <param name="overranged">whether a sample averaged into the point sat at full scale</param>
        /// <param name="count">points</param>
        /// <param name="backward">the bias decreased through the sweep</param>
        void OnSpectrum(int[] biasCodes, int[] signalCodes, bool[] overranged, int count, bool backward);
    }
}
