namespace NbnEdge.Firmware.Adc
{
    /// <summary>One simultaneous conversion of all four channels; preallocated and refilled.</summary>
    public sealed class AdcSample
    {
        /// <summary>The STATUS word that headed the frame.</summary>
        public int Status;

        /// <summary>Sign-extended 24-bit codes of channels 0 to 3.</summary>
        public readonly int[] Codes = new int[Ads131m04.Channels];
    }
}
