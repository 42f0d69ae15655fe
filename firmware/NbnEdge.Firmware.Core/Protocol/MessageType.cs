namespace NbnEdge.Firmware.Protocol
{
    /// <summary>Message type codes and fixed sizes of docs/PROTOCOL.md version 1.</summary>
    public static class MessageType
    {
        /// <summary>Protocol version carried in every body.</summary>
        public const byte ProtocolVersion = 1;

        /// <summary>Device to host: key=value text describing firmware, board and scaling.</summary>
        public const byte Hello = 0x01;
        /// <summary>Device to host: one chunk of an averaged spectrum.</summary>
        public const byte Spectrum = 0x02;
        /// <summary>Device to host: the on-board gap estimate of a finished spectrum.</summary>
        public const byte Estimate = 0x03;
        /// <summary>Device to host: counters.</summary>
        public const byte Status = 0x04;
        /// <summary>Device to host: free text.</summary>
        public const byte Log = 0x05;
        /// <summary>Device to host: answer to a command.</summary>
        public const byte Ack = 0x06;
        /// <summary>Host to device: key=value settings.</summary>
        public const byte Config = 0x81;
        /// <summary>Host to device: start acquisition.</summary>
        public const byte Start = 0x82;
        /// <summary>Host to device: stop acquisition.</summary>
        public const byte Stop = 0x83;
        /// <summary>Host to device: answered by HELLO, then ACK.</summary>
        public const byte Ping = 0x84;

        /// <summary>Bytes of version, type, flags and seq before every payload.</summary>
        public const int HeaderBytes = 8;
        /// <summary>Bytes of the CRC-32 after the body.</summary>
        public const int CrcBytes = 4;
        /// <summary>Largest body (header and payload) a frame may carry.</summary>
        public const int MaxBodyBytes = 1024;
        /// <summary>Largest payload.</summary>
        public const int MaxPayloadBytes = MaxBodyBytes - HeaderBytes;
        /// <summary>Largest frame on the wire: COBS of body and CRC, plus the 0x00 delimiter.</summary>
        public const int MaxEncodedFrameBytes = MaxBodyBytes + CrcBytes + (MaxBodyBytes + CrcBytes) / 254 + 1 + 1;

        /// <summary>SPECTRUM payload bytes before the (bias, signal) pairs.</summary>
        public const int SpectrumHeaderBytes = 12;
        /// <summary>Bytes of one (i32 bias_code, i32 signal_code) pair.</summary>
        public const int SpectrumPairBytes = 8;
        /// <summary>Most points one SPECTRUM chunk can carry within <see cref="MaxBodyBytes"/>.</summary>
        public const int MaxPointsPerChunk = (MaxPayloadBytes - SpectrumHeaderBytes) / SpectrumPairBytes;
        /// <summary>ESTIMATE payload bytes.</summary>
        public const int EstimatePayloadBytes = 20;
        /// <summary>STATUS payload bytes.</summary>
        public const int StatusPayloadBytes = 32;
        /// <summary>STATUS payload with the trailing spectra_dropped field this firmware sends (readers accept either).</summary>
        public const int StatusPayloadBytesV1Extended = 36;
        /// <summary>ACK payload bytes before the detail text.</summary>
        public const int AckFixedBytes = 6;

        /// <summary>SPECTRUM flag: the bias decreased through this sweep.</summary>
        public const ushort SpectrumFlagBackward = 0x0001;
        /// <summary>SPECTRUM flag: last chunk of this spectrum.</summary>
        public const ushort SpectrumFlagLastChunk = 0x0002;
        /// <summary>SPECTRUM flag: an ADC channel overranged in this chunk.</summary>
        public const ushort SpectrumFlagOverrange = 0x0004;
        /// <summary>ESTIMATE flag: the estimate is valid.</summary>
        public const ushort EstimateFlagValid = 0x0001;

        /// <summary>ACK status: command done.</summary>
        public const ushort AckOk = 0;
        /// <summary>ACK status: a CONFIG key is unknown or its value is out of range; nothing was applied.</summary>
        public const ushort AckBadConfig = 1;
        /// <summary>ACK status: the command cannot be carried out now (e.g. the ADC does not answer).</summary>
        public const ushort AckFailed = 2;

        /// <summary>Whether <paramref name="type"/> is a message type this version defines.</summary>
        public static bool IsKnown(byte type)
        {
            return (type >= Hello && type <= Ack) || (type >= Config && type <= Ping);
        }
    }
}
