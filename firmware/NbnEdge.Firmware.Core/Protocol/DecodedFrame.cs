namespace NbnEdge.Firmware.Protocol
{
    /// <summary>
    /// The last frame a <see cref="FrameDecoder"/> accepted. One preallocated instance is refilled
    /// per frame; only the part matching <see cref="Type"/> is meaningful.
    /// </summary>
    public sealed class DecodedFrame
    {
        /// <summary>Protocol version (always 1 for an accepted frame).</summary>
        public byte Version;
        /// <summary>Message type, one of <see cref="MessageType"/>.</summary>
        public byte Type;
        /// <summary>Flags, meaning per type.</summary>
        public ushort Flags;
        /// <summary>The sender's frame counter.</summary>
        public uint Seq;
        /// <summary>Payload length in bytes.</summary>
        public int PayloadLength;

        /// <summary>Filled for SPECTRUM.</summary>
        public readonly SpectrumChunk Spectrum = new SpectrumChunk();
        /// <summary>Filled for ESTIMATE.</summary>
        public readonly EstimateReport Estimate = new EstimateReport();
        /// <summary>Filled for STATUS.</summary>
        public readonly StatusReport Status = new StatusReport();
        /// <summary>Filled for ACK.</summary>
        public readonly AckReport Ack = new AckReport();

        /// <summary>UTF-8 text of HELLO, LOG, CONFIG, or an ACK's detail; <see cref="TextLength"/> bytes valid.</summary>
        public readonly byte[] Text = new byte[MessageType.MaxPayloadBytes];
        /// <summary>Valid bytes in <see cref="Text"/>.</summary>
        public int TextLength;

        /// <summary>The text as a string (allocates: for commands and the host, not the sample path).</summary>
        public string GetText()
        {
            return Utf8Text.Decode(Text, 0, TextLength);
        }
    }
}
