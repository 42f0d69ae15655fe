namespace NbnEdge.Firmware.Protocol
{
    /// <summary>
    /// Streaming reader of the wire format, for the firmware (commands) and the host (data): splits
    /// the byte stream at 0x00, undoes COBS, checks length, CRC-32 and version, and parses the body
    /// into the preallocated <see cref="Frame"/>. Anything wrong is counted and dropped, and reading
    /// resynchronises at the next 0x00. No allocation per frame.
    /// </summary>
    /// <remarks>
    /// Use: <c>while (count &gt; 0) { int used = decoder.Feed(buf, off, count); off += used; count -= used;
    /// if (decoder.FrameReady) Handle(decoder.Frame); }</c>. <see cref="Frame"/> is valid until the next Feed.
    /// </remarks>
    public sealed class FrameDecoder
    {
        private readonly byte[] _encoded = new byte[MessageType.MaxEncodedFrameBytes];
        private int _encodedLength;
        private bool _overflow;
        private readonly byte[] _body = new byte[MessageType.MaxBodyBytes + MessageType.CrcBytes];
        private int _bodyLength;
        private readonly FrameCrc _crc = new FrameCrc();

        /// <summary>The last accepted frame.</summary>
        public readonly DecodedFrame Frame = new DecodedFrame();

        /// <summary>True right after a Feed that completed an accepted frame.</summary>
        public bool FrameReady;

        /// <summary>Frames accepted.</summary>
        public uint FramesAccepted;
        /// <summary>Frames dropped for a CRC mismatch.</summary>
        public uint BadCrc;
        /// <summary>Frames dropped for being shorter than header and CRC.</summary>
        public uint TooShort;
        /// <summary>Frames dropped for a body over <see cref="MessageType.MaxBodyBytes"/>.</summary>
        public uint TooLong;
        /// <summary>Frames dropped for a version other than 1.</summary>
        public uint UnknownVersion;
        /// <summary>Frames of a message type this version does not know; skipped.</summary>
        public uint UnknownType;
        /// <summary>Frames whose COBS encoding was invalid (garbage on the line).</summary>
        public uint MalformedCobs;
        /// <summary>Frames of a known type whose payload is too short for its fields.</summary>
        public uint BadPayload;

        /// <summary>The raw body (header and payload, without CRC) of the last accepted frame.</summary>
        public byte[] Body
        {
            get { return _body; }
        }

        /// <summary>Length of <see cref="Body"/> of the last accepted frame.</summary>
        public int BodyLength
        {
            get { return _bodyLength; }
        }

        /// <summary>Forgets a partly received frame (e.g. after reopening the port).</summary>
        public void ResetStream()
        {
            _encodedLength = 0;
            _overflow = false;
            FrameReady = false;
        }

        /// <summary>Feeds one byte; returns true if it completed an accepted frame.</summary>
        public bool Push(byte value)
        {
            FrameReady = false;
            if (value != 0)
            {
                if (_encodedLength < _encoded.Length)
                {
                    _encoded[_encodedLength++] = value;
                }
                else
                {
                    _overflow = true;
                }

                return false;
            }

            FrameReady = CompleteFrame();
            _encodedLength = 0;
            _overflow = false;
            return FrameReady;
        }

        /// <summary>
        /// Feeds bytes up to and including the first frame delimiter; returns how many were used.
        /// Check <see cref="FrameReady"/> after each call.
        /// </summary>
        public int Feed(byte[] data, int offset, int count)
        {
            FrameReady = false;
            int end = offset + count;
            for (int i = offset; i < end; i++)
            {
                byte value = data[i];
                if (value == 0)
                {
                    FrameReady = CompleteFrame();
                    _encodedLength = 0;
                    _overflow = false;
                    return i - offset + 1;
                }

                if (_encodedLength < _encoded.Length)
                {
                    _encoded[_encodedLength++] = value;
                }
                else
                {
                    _overflow = true;
                }
            }

            return count;
        }

        private bool CompleteFrame()
        {
            if (_encodedLength == 0 && !_overflow)
            {
                // Back-to-back delimiters (a sender flushing the line) carry no frame.
                return false;
            }

            if (_overflow)
            {
                TooLong++;
                return false;
            }

            int decoded = Cobs.Decode(_encoded, 0, _encodedLength, _body, 0, _body.Length);
            if (decoded == Cobs.DestinationTooSmall)
            {
                TooLong++;
                return false;
            }

            if (decoded < 0)
            {
                MalformedCobs++;
                return false;
            }

            if (decoded < MessageType.HeaderBytes + MessageType.CrcBytes)
            {
                TooShort++;
                return false;
            }

            int bodyLength = decoded - MessageType.CrcBytes;
            uint crc = _crc.Compute(_body, 0, bodyLength);
            if (crc != LittleEndian.ReadUInt32(_body, bodyLength))
            {
                BadCrc++;
                return false;
            }

            if (_body[0] != MessageType.ProtocolVersion)
            {
                UnknownVersion++;
                return false;
            }

            _bodyLength = bodyLength;
            if (!Parse(bodyLength))
            {
                return false;
            }

            FramesAccepted++;
            return true;
        }

        private bool Parse(int bodyLength)
        {
            DecodedFrame f = Frame;
            byte type = _body[1];
            if (!MessageType.IsKnown(type))
            {
                UnknownType++;
                return false;
            }

            int p = MessageType.HeaderBytes;
            int payload = bodyLength - p;
            f.Version = _body[0];
            f.Type = type;
            f.Flags = LittleEndian.ReadUInt16(_body, 2);
            f.Seq = LittleEndian.ReadUInt32(_body, 4);
            f.PayloadLength = payload;
            f.TextLength = 0;

            switch (type)
            {
                case MessageType.Hello:
                case MessageType.Log:
                case MessageType.Config:
                    System.Array.Copy(_body, p, f.Text, 0, payload);
                    f.TextLength = payload;
                    return true;

                case MessageType.Spectrum:
                    return ParseSpectrum(f, p, payload);

                case MessageType.Estimate:
                    if (payload < MessageType.EstimatePayloadBytes)
                    {
                        BadPayload++;
                        return false;
                    }

                    f.Estimate.SpectrumId = LittleEndian.ReadUInt32(_body, p);
                    f.Estimate.DeltaUeV = LittleEndian.ReadInt32(_body, p + 4);
                    f.Estimate.TEffMk = LittleEndian.ReadInt32(_body, p + 8);
                    f.Estimate.BiasOffsetUv = LittleEndian.ReadInt32(_body, p + 12);
                    f.Estimate.Quality = LittleEndian.ReadUInt16(_body, p + 16);
                    f.Estimate.Valid = (f.Flags & MessageType.EstimateFlagValid) != 0;
                    return true;

                case MessageType.Status:
                    if (payload < MessageType.StatusPayloadBytes)
                    {
                        BadPayload++;
                        return false;
                    }

                    StatusReport s = f.Status;
                    s.UptimeMs = LittleEndian.ReadUInt32(_body, p);
                    s.SpectraDone = LittleEndian.ReadUInt32(_body, p + 4);
                    s.Samples = LittleEndian.ReadUInt32(_body, p + 8);
                    s.Overranges = LittleEndian.ReadUInt32(_body, p + 12);
                    s.AdcCrcErrors = LittleEndian.ReadUInt32(_body, p + 16);
                    s.DrdyTimeouts = LittleEndian.ReadUInt32(_body, p + 20);
                    s.TxDroppedFrames = LittleEndian.ReadUInt32(_body, p + 24);
                    s.FreeHeapBytes = LittleEndian.ReadUInt32(_body, p + 28);
                    s.SpectraDropped = payload >= MessageType.StatusPayloadBytesV1Extended ? LittleEndian.ReadUInt32(_body, p + 32) : 0;
                    return true;

                case MessageType.Ack:
                    if (payload < MessageType.AckFixedBytes)
                    {
                        BadPayload++;
                        return false;
                    }

                    f.Ack.CommandSeq = LittleEndian.ReadUInt32(_body, p);
                    f.Ack.Status = LittleEndian.ReadUInt16(_body, p + 4);
                    f.TextLength = payload - MessageType.AckFixedBytes;
                    System.Array.Copy(_body, p + MessageType.AckFixedBytes, f.Text, 0, f.TextLength);
                    return true;

                default:
                    // START, STOP, PING: no payload to parse; trailing bytes a later version adds are ignored.
                    return true;
            }
        }

        private bool ParseSpectrum(DecodedFrame f, int p, int payload)
        {
            if (payload < MessageType.SpectrumHeaderBytes)
            {
                BadPayload++;
                return false;
            }

            SpectrumChunk c = f.Spectrum;
            int count = LittleEndian.ReadUInt16(_body, p + 6);
            if (count > MessageType.MaxPointsPerChunk || payload < MessageType.SpectrumHeaderBytes + count * MessageType.SpectrumPairBytes)
            {
                BadPayload++;
                return false;
            }

            c.SpectrumId = LittleEndian.ReadUInt32(_body, p);
            c.FirstIndex = LittleEndian.ReadUInt16(_body, p + 4);
            c.Count = count;
            c.TotalPoints = LittleEndian.ReadUInt16(_body, p + 8);
            c.Backward = (f.Flags & MessageType.SpectrumFlagBackward) != 0;
            c.LastChunk = (f.Flags & MessageType.SpectrumFlagLastChunk) != 0;
            c.Overrange = (f.Flags & MessageType.SpectrumFlagOverrange) != 0;
            int q = p + MessageType.SpectrumHeaderBytes;
            for (int i = 0; i < count; i++)
            {
                c.BiasCodes[i] = LittleEndian.ReadInt32(_body, q);
                c.SignalCodes[i] = LittleEndian.ReadInt32(_body, q + 4);
                q += MessageType.SpectrumPairBytes;
            }

            return true;
        }
    }
}
