namespace NbnEdge.Firmware.Protocol
{
    /// <summary>
    /// One SPECTRUM chunk as decoded: preallocated arrays sized for the largest chunk, refilled
    /// for every frame (copy what you keep).
    /// </summary>
    public sealed class SpectrumChunk
    {
        /// <summary>Identifier shared by every chunk of one spectrum.</summary>
        public uint SpectrumId;
        /// <summary>Index of this chunk's first point within the spectrum.</summary>
        public int FirstIndex;
        /// <summary>Number of points in this chunk.</summary>
        public int Count;
        /// <summary>Number of points in the whole spectrum.</summary>
        public int TotalPoints;
        /// <summary>Averaged bias codes, <see cref="Count"/> of them valid.</summary>
        public readonly int[] BiasCodes = new int[MessageType.MaxPointsPerChunk];
        /// <summary>Averaged signal (lock-in X) codes, <see cref="Count"/> of them valid.</summary>
        public readonly int[] SignalCodes = new int[MessageType.MaxPointsPerChunk];
        /// <summary>The bias decreased through the sweep.</summary>
        public bool Backward;
        /// <summary>Last chunk of the spectrum.</summary>
        public bool LastChunk;
        /// <summary>An ADC channel overranged within this chunk.</summary>
        public bool Overrange;
    }

    /// <summary>The fields of an ESTIMATE message (fixed-point units, as sent).</summary>
    public sealed class EstimateReport
    {
        /// <summary>The spectrum this estimate belongs to.</summary>
        public uint SpectrumId;
        /// <summary>Superconducting gap in µeV.</summary>
        public int DeltaUeV;
        /// <summary>Effective temperature in mK; 0 when not estimated.</summary>
        public int TEffMk;
        /// <summary>Bias at the centre of the gap, in µV.</summary>
        public int BiasOffsetUv;
        /// <summary>0 (useless) to 1000 (clean).</summary>
        public int Quality;
        /// <summary>Whether the estimator produced a usable value.</summary>
        public bool Valid;

        /// <summary>"Not estimated": every value 0 and not valid (the spectrum id is kept).</summary>
        public void ClearEstimate()
        {
            DeltaUeV = 0;
            TEffMk = 0;
            BiasOffsetUv = 0;
            Quality = 0;
            Valid = false;
        }
    }

    /// <summary>The counters of a STATUS message; the firmware keeps its live counters in one of these.</summary>
    public sealed class StatusReport
    {
        /// <summary>Milliseconds since boot (wraps after 49 days).</summary>
        public uint UptimeMs;
        /// <summary>Spectra completed and sent (or dropped by the transmit queue).</summary>
        public uint SpectraDone;
        /// <summary>ADC frames decoded with a good CRC.</summary>
        public uint Samples;
        /// <summary>Samples in which the bias or signal channel sat at full scale.</summary>
        public uint Overranges;
        /// <summary>ADC SPI frames whose CRC-16 did not match; never used.</summary>
        public uint AdcCrcErrors;
        /// <summary>Times DRDY did not come within the expected time.</summary>
        public uint DrdyTimeouts;
        /// <summary>Whole frames the bounded transmit queue dropped.</summary>
        public uint TxDroppedFrames;
        /// <summary>Free managed heap in bytes.</summary>
        public uint FreeHeapBytes;
        /// <summary>
        /// Finished sweeps dropped because the spectrum worker still held both buffers (a trailing
        /// field, PROTOCOL's way of extending a message; absent from older firmware: 0).
        /// </summary>
        public uint SpectraDropped;

        /// <summary>Copies every counter from <paramref name="other"/>.</summary>
        public void CopyFrom(StatusReport other)
        {
            UptimeMs = other.UptimeMs;
            SpectraDone = other.SpectraDone;
            Samples = other.Samples;
            Overranges = other.Overranges;
            AdcCrcErrors = other.AdcCrcErrors;
            DrdyTimeouts = other.DrdyTimeouts;
            TxDroppedFrames = other.TxDroppedFrames;
            FreeHeapBytes = other.FreeHeapBytes;
            SpectraDropped = other.SpectraDropped;
        }
    }

    /// <summary>The fixed fields of an ACK message; its detail text is in <see cref="DecodedFrame.Text"/>.</summary>
    public sealed class AckReport
    {
        /// <summary>seq of the command answered.</summary>
        public uint CommandSeq;
        /// <summary>0 ok, otherwise one of the MessageType.Ack* codes.</summary>
        public int Status;
    }
}
