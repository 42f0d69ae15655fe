namespace NbnEdge.Firmware.Protocol
{
    /// <summary>
    /// Builds wire frames (COBS(body ‖ CRC-32) ‖ 0x00) into one preallocated buffer,
    /// <see cref="Output"/>; each Encode call overwrites it and returns the frame's length.
    /// Every encoded frame takes the next <see cref="NextSeq"/>, so frames dropped later (by the
    /// transmit queue) show as gaps in seq at the receiver. Not thread-safe: one owner, or a lock.
    /// </summary>
    public sealed class FrameEncoder
    {
        private readonly byte[] _body = new byte[MessageType.MaxBodyBytes + MessageType.CrcBytes];
        private readonly FrameCrc _crc = new FrameCrc();

        /// <summary>The last encoded frame, delimiter included.</summary>
        public readonly byte[] Output = new byte[MessageType.MaxEncodedFrameBytes];

        /// <summary>seq the next frame will carry (wraps at 2^32).</summary>
        public uint NextSeq;

        /// <summary>Encodes a frame whose payload is text bytes: HELLO, LOG or CONFIG.</summary>
        public int EncodeText(byte type, byte[] text, int offset, int count)
        {
            if (count > MessageType.MaxPayloadBytes)
            {
                // Text is informational: cut it rather than fail the frame.
                count = MessageType.MaxPayloadBytes;
            }

            System.Array.Copy(text, offset, _body, MessageType.HeaderBytes, count);
            return Finish(type, 0, count);
        }

        /// <summary>Encodes a frame with an empty payload (START, STOP, PING).</summary>
        public int EncodeEmpty(byte type)
        {
            return Finish(type, 0, 0);
        }

        /// <summary>
        /// Encodes one SPECTRUM chunk: points <paramref name="firstIndex"/> .. firstIndex+count-1 of
        /// the given arrays. <paramref name="count"/> must not exceed <see cref="MessageType.MaxPointsPerChunk"/>.
        /// </summary>
        public int EncodeSpectrumChunk(uint spectrumId, int[] biasCodes, int[] signalCodes, int firstIndex, int count, int totalPoints, ushort flags)
        {
            if (count < 0 || count > MessageType.MaxPointsPerChunk)
            {
                throw new System.ArgumentOutOfRangeException("count");
            }

            int p = MessageType.HeaderBytes;
            LittleEndian.WriteUInt32(_body, p, spectrumId);
            LittleEndian.WriteUInt16(_body, p + 4, firstIndex);
            LittleEndian.WriteUInt16(_body, p + 6, count);
            LittleEndian.WriteUInt16(_body, p + 8, totalPoints);
            LittleEndian.WriteUInt16(_body, p + 10, 0);
            p += MessageType.SpectrumHeaderBytes;
            for (int i = 0; i < count; i++)
            {
                LittleEndian.WriteInt32(_body, p, biasCodes[firstIndex + i]);
                LittleEndian.WriteInt32(_body, p + 4, signalCodes[firstIndex + i]);
                p += MessageType.SpectrumPairBytes;
            }

            return Finish(MessageType.Spectrum, flags, p - MessageType.HeaderBytes);
        }

        /// <summary>Encodes an ESTIMATE.</summary>
        public int EncodeEstimate(EstimateReport estimate)
        {
            int p = MessageType.HeaderBytes;
            LittleEndian.WriteUInt32(_body, p, estimate.SpectrumId);
            LittleEndian.WriteInt32(_body, p + 4, estimate.DeltaUeV);
            LittleEndian.WriteInt32(_body, p + 8, estimate.TEffMk);
            LittleEndian.WriteInt32(_body, p + 12, estimate.BiasOffsetUv);
            LittleEndian.WriteUInt16(_body, p + 16, estimate.Quality);
            LittleEndian.WriteUInt16(_body, p + 18, 0);
            return Finish(MessageType.Estimate, estimate.Valid ? MessageType.EstimateFlagValid : (ushort)0, MessageType.EstimatePayloadBytes);
        }

        /// <summary>Encodes a STATUS.</summary>
        public int EncodeStatus(StatusReport status)
        {
            int p = MessageType.HeaderBytes;
            LittleEndian.WriteUInt32(_body, p, status.UptimeMs);
            LittleEndian.WriteUInt32(_body, p + 4, status.SpectraDone);
            LittleEndian.WriteUInt32(_body, p + 8, status.Samples);
            LittleEndian.WriteUInt32(_body, p + 12, status.Overranges);
            LittleEndian.WriteUInt32(_body, p + 16, status.AdcCrcErrors);
            LittleEndian.WriteUInt32(_body, p + 20, status.DrdyTimeouts);
            LittleEndian.WriteUInt32(_body, p + 24, status.TxDroppedFrames);
            LittleEndian.WriteUInt32(_body, p + 28, status.FreeHeapBytes);
            LittleEndian.WriteUInt32(_body, p + 32, status.SpectraDropped);
            return Finish(MessageType.Status, 0, MessageType.StatusPayloadBytesV1Extended);
        }

        /// <summary>Encodes an ACK with optional UTF-8 detail (<paramref name="detail"/> may be null).</summary>
        public int EncodeAck(uint commandSeq, int status, byte[] detail, int offset, int count)
        {
            int p = MessageType.HeaderBytes;
            LittleEndian.WriteUInt32(_body, p, commandSeq);
            LittleEndian.WriteUInt16(_body, p + 4, status);
            if (detail == null)
            {
                count = 0;
            }
            else
            {
                if (count > MessageType.MaxPayloadBytes - MessageType.AckFixedBytes)
                {
                    count = MessageType.MaxPayloadBytes - MessageType.AckFixedBytes;
                }

                System.Array.Copy(detail, offset, _body, p + MessageType.AckFixedBytes, count);
            }

            return Finish(MessageType.Ack, 0, MessageType.AckFixedBytes + count);
        }

        /// <summary>
        /// Encodes a body whose payload the caller wrote into <see cref="PayloadBuffer"/> from
        /// <see cref="MessageType.HeaderBytes"/>: for message types added later, and for tests.
        /// </summary>
        public int EncodePrepared(byte type, ushort flags, int payloadLength)
        {
            return Finish(type, flags, payloadLength);
        }

        /// <summary>The body scratch buffer; payload goes from offset <see cref="MessageType.HeaderBytes"/>.</summary>
        public byte[] PayloadBuffer
        {
            get { return _body; }
        }

        private int Finish(byte type, ushort flags, int payloadLength)
        {
            _body[0] = MessageType.ProtocolVersion;
            _body[1] = type;
            LittleEndian.WriteUInt16(_body, 2, flags);
            LittleEndian.WriteUInt32(_body, 4, NextSeq);
            NextSeq = unchecked(NextSeq + 1);
            int bodyLength = MessageType.HeaderBytes + payloadLength;
            uint crc = _crc.Compute(_body, 0, bodyLength);
            LittleEndian.WriteUInt32(_body, bodyLength, crc);
            int encoded = Cobs.Encode(_body, 0, bodyLength + MessageType.CrcBytes, Output, 0);
            Output[encoded] = 0;
            return encoded + 1;
        }
    }
}
