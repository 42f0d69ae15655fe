using NbnEdge.Firmware.Protocol;
#if NANOFRAMEWORK_1_0
using nanoFramework.TestFramework;
#else
using Microsoft.VisualStudio.TestTools.UnitTesting;
#endif

namespace NbnEdge.Firmware.Tests
{
    [TestClass]
    public class ProtocolTests
    {
        private static byte[] Bytes(string hex)
        {
            // Pairs of hex digits separated by single spaces (no String.Replace on nanoFramework).
            byte[] result = new byte[(hex.Length + 1) / 3];
            for (int i = 0; i < result.Length; i++)
            {
                result[i] = (byte)((HexDigit(hex[3 * i]) << 4) | HexDigit(hex[3 * i + 1]));
            }

            return result;
        }

        private static int HexDigit(char c)
        {
            return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
        }

        private static byte[] Range(int first, int last)
        {
            byte[] result = new byte[last - first + 1];
            for (int i = 0; i < result.Length; i++)
            {
                result[i] = (byte)(first + i);
            }

            return result;
        }

        private static byte[] Concat(byte[] a, byte[] b)
        {
            byte[] result = new byte[a.Length + b.Length];
            System.Array.Copy(a, 0, result, 0, a.Length);
            System.Array.Copy(b, 0, result, a.Length, b.Length);
            return result;
        }

        private static void AssertBytes(byte[] expected, byte[] actual, int actualLength)
        {
            Assert.AreEqual(expected.Length, actualLength, "length");
            for (int i = 0; i < expected.Length; i++)
            {
                Assert.AreEqual(expected[i], actual[i], "byte " + i.ToString());
            }
        }

        private static void CheckCobs(byte[] data, byte[] expectedEncoding)
        {
            byte[] encoded = new byte[Cobs.MaxEncodedLength(data.Length)];
            int n = Cobs.Encode(data, 0, data.Length, encoded, 0);
            AssertBytes(expectedEncoding, encoded, n);
            byte[] decoded = new byte[data.Length + 4];
            int m = Cobs.Decode(encoded, 0, n, decoded, 0, decoded.Length);
            AssertBytes(data, decoded, m);
        }

        [TestMethod]
        public void Crc32CheckValueOf123456789IsCBF43926()
        {
            byte[] data = new byte[] { 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39 };
            FrameCrc crc = new FrameCrc();
            Assert.AreEqual(0xCBF43926u, crc.Compute(data, 0, data.Length));
            byte[] padded = new byte[] { 0xAA, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0xBB };
            Assert.AreEqual(0xCBF43926u, crc.Compute(padded, 1, 9));
            Assert.AreEqual(0x00000000u, crc.Compute(padded, 0, 0));
        }

        [TestMethod]
        public void CobsShortVectors()
        {
            // Hand-derived from the definition (each code byte counts itself plus the data bytes before the next zero).
            CheckCobs(new byte[0], Bytes("01"));
            CheckCobs(Bytes("00"), Bytes("01 01"));
            CheckCobs(Bytes("00 00"), Bytes("01 01 01"));
            CheckCobs(Bytes("00 11 00"), Bytes("01 02 11 01"));
            CheckCobs(Bytes("11 22 00 33"), Bytes("03 11 22 02 33"));
            CheckCobs(Bytes("11 22 33 44"), Bytes("05 11 22 33 44"));
            CheckCobs(Bytes("11 00 00 00"), Bytes("02 11 01 01 01"));
        }

        [TestMethod]
        public void Cobs254ByteRunHasNoTrailingBlock()
        {
            // 01..FE: one full block, FF then the 254 bytes.
            CheckCobs(Range(0x01, 0xFE), Concat(Bytes("FF"), Range(0x01, 0xFE)));
            // 00 01..FE: a zero first.
            CheckCobs(Concat(Bytes("00"), Range(0x01, 0xFE)), Concat(Bytes("01 FF"), Range(0x01, 0xFE)));
        }

        [TestMethod]
        public void Cobs255ByteRunsSplitAfter254()
        {
            // 01..FF: a full block then a block holding FF.
            CheckCobs(Range(0x01, 0xFF), Concat(Concat(Bytes("FF"), Range(0x01, 0xFE)), Bytes("02 FF")));
            // 02..FF 00: full block, then the trailing zero.
            CheckCobs(Concat(Range(0x02, 0xFF), Bytes("00")), Concat(Concat(Bytes("FF"), Range(0x02, 0xFF)), Bytes("01 01")));
            // 03..FF 00 01.
            CheckCobs(Concat(Range(0x03, 0xFF), Bytes("00 01")), Concat(Concat(Bytes("FE"), Range(0x03, 0xFF)), Bytes("02 01")));
        }

        [TestMethod]
        public void CobsDecoderAcceptsRedundantFinalBlockAndRejectsMalformed()
        {
            byte[] redundant = Concat(Concat(Bytes("FF"), Range(0x01, 0xFE)), Bytes("01"));
            byte[] decoded = new byte[300];
            int n = Cobs.Decode(redundant, 0, redundant.Length, decoded, 0, decoded.Length);
            AssertBytes(Range(0x01, 0xFE), decoded, n);

            byte[] pastEnd = Bytes("05 11 22");
            Assert.AreEqual(Cobs.Malformed, Cobs.Decode(pastEnd, 0, pastEnd.Length, decoded, 0, decoded.Length));
            byte[] zeroInside = Bytes("03 11 00");
            Assert.AreEqual(Cobs.Malformed, Cobs.Decode(zeroInside, 0, zeroInside.Length, decoded, 0, decoded.Length));
            byte[] fits = Bytes("05 11 22 33 44");
            Assert.AreEqual(Cobs.DestinationTooSmall, Cobs.Decode(fits, 0, fits.Length, decoded, 0, 3));
        }

        private static int Feed(FrameDecoder decoder, byte[] data, int length, DecodedFrame[] copies)
        {
            int frames = 0;
            int offset = 0;
            while (offset < length)
            {
                offset += decoder.Feed(data, offset, length - offset);
                if (decoder.FrameReady)
                {
                    frames++;
                }
            }

            return frames;
        }

        private static byte[] Copy(byte[] buffer, int length)
        {
            byte[] result = new byte[length];
            System.Array.Copy(buffer, 0, result, 0, length);
            return result;
        }

        private static FrameDecoder DecodeOne(byte[] wire)
        {
            FrameDecoder decoder = new FrameDecoder();
            int offset = 0;
            int frames = 0;
            while (offset < wire.Length)
            {
                offset += decoder.Feed(wire, offset, wire.Length - offset);
                if (decoder.FrameReady)
                {
                    frames++;
                    Assert.AreEqual(wire.Length, offset, "frame must end at the delimiter");
                }
            }

            Assert.AreEqual(1, frames);
            return decoder;
        }

        [TestMethod]
        public void EveryFrameEndsWithTheOnlyZero()
        {
            FrameEncoder encoder = new FrameEncoder();
            int[] zeros = new int[125];
            int n = encoder.EncodeSpectrumChunk(0, zeros, zeros, 0, 125, 125, 0);
            Assert.AreEqual(0, (int)encoder.Output[n - 1]);
            for (int i = 0; i < n - 1; i++)
            {
                Assert.AreNotEqual(0, (int)encoder.Output[i]);
            }

            Assert.IsTrue(n <= MessageType.MaxEncodedFrameBytes);
        }

        [TestMethod]
        public void HelloLogConfigRoundTrip()
        {
            FrameEncoder encoder = new FrameEncoder();
            byte[] text = new byte[200];
            int length = Utf8Text.Encode("fw=0.1.0\nboard=x\nΔ=2.1 meV µ\n", text, 0);
            byte[] types = new byte[] { MessageType.Hello, MessageType.Log, MessageType.Config };
            for (int i = 0; i < types.Length; i++)
            {
                int n = encoder.EncodeText(types[i], text, 0, length);
                FrameDecoder decoder = DecodeOne(Copy(encoder.Output, n));
                Assert.AreEqual((int)types[i], (int)decoder.Frame.Type);
                Assert.AreEqual((uint)i, decoder.Frame.Seq);
                Assert.AreEqual("fw=0.1.0\nboard=x\nΔ=2.1 meV µ\n", decoder.Frame.GetText());
            }
        }

        [TestMethod]
        public void SpectrumChunkRoundTrip()
        {
            FrameEncoder encoder = new FrameEncoder();
            int[] bias = new int[300];
            int[] signal = new int[300];
            for (int i = 0; i < 300; i++)
            {
                bias[i] = -8388608 + i * 55555;
                signal[i] = 8388607 - i * 77777;
            }

            ushort flags = (ushort)(MessageType.SpectrumFlagBackward | MessageType.SpectrumFlagLastChunk | MessageType.SpectrumFlagOverrange);
            int n = encoder.EncodeSpectrumChunk(0xDEADBEEF, bias, signal, 175, 125, 300, flags);
            FrameDecoder decoder = DecodeOne(Copy(encoder.Output, n));
            SpectrumChunk c = decoder.Frame.Spectrum;
            Assert.AreEqual((int)MessageType.Spectrum, (int)decoder.Frame.Type);
            Assert.AreEqual(0xDEADBEEFu, c.SpectrumId);
            Assert.AreEqual(175, c.FirstIndex);
            Assert.AreEqual(125, c.Count);
            Assert.AreEqual(300, c.TotalPoints);
            Assert.IsTrue(c.Backward);
            Assert.IsTrue(c.LastChunk);
            Assert.IsTrue(c.Overrange);
            Assert.AreEqual(8 + 12 + 125 * 8, decoder.BodyLength);
            for (int i = 0; i < 125; i++)
            {
                Assert.AreEqual(bias[175 + i], c.BiasCodes[i]);
                Assert.AreEqual(signal[175 + i], c.SignalCodes[i]);
            }

            // The body's first bytes, by hand: version 1, type 2, flags 7, seq 0, id EF BE AD DE, first 175, count 125, total 300, reserved 0.
            byte[] expectedStart = Bytes("01 02 07 00 00 00 00 00 EF BE AD DE AF 00 7D 00 2C 01 00 00");
            for (int i = 0; i < expectedStart.Length; i++)
            {
                Assert.AreEqual(expectedStart[i], decoder.Body[i], "body byte " + i.ToString());
            }
        }

        [TestMethod]
        public void EstimateStatusAckRoundTrip()
        {
            FrameEncoder encoder = new FrameEncoder();
            EstimateReport e = new EstimateReport();
            e.SpectrumId = 7;
            e.DeltaUeV = 2110;
            e.TEffMk = 1730;
            e.BiasOffsetUv = -58;
            e.Quality = 987;
            e.Valid = true;
            FrameDecoder d = DecodeOne(Copy(encoder.Output, encoder.EncodeEstimate(e)));
            Assert.AreEqual((int)MessageType.Estimate, (int)d.Frame.Type);
            Assert.AreEqual(7u, d.Frame.Estimate.SpectrumId);
            Assert.AreEqual(2110, d.Frame.Estimate.DeltaUeV);
            Assert.AreEqual(1730, d.Frame.Estimate.TEffMk);
            Assert.AreEqual(-58, d.Frame.Estimate.BiasOffsetUv);
            Assert.AreEqual(987, d.Frame.Estimate.Quality);
            Assert.IsTrue(d.Frame.Estimate.Valid);
            Assert.AreEqual(1, (int)d.Frame.Flags);

            StatusReport s = new StatusReport();
            s.UptimeMs = 1; s.SpectraDone = 2; s.Samples = 3; s.Overranges = 4;
            s.AdcCrcErrors = 5; s.DrdyTimeouts = 6; s.TxDroppedFrames = 7; s.FreeHeapBytes = 0xFFFFFFFF; s.SpectraDropped = 8;
            d = DecodeOne(Copy(encoder.Output, encoder.EncodeStatus(s)));
            StatusReport r = d.Frame.Status;
            Assert.AreEqual((int)MessageType.Status, (int)d.Frame.Type);
            Assert.AreEqual(1u, r.UptimeMs);
            Assert.AreEqual(2u, r.SpectraDone);
            Assert.AreEqual(3u, r.Samples);
            Assert.AreEqual(4u, r.Overranges);
            Assert.AreEqual(5u, r.AdcCrcErrors);
            Assert.AreEqual(6u, r.DrdyTimeouts);
            Assert.AreEqual(7u, r.TxDroppedFrames);
            Assert.AreEqual(0xFFFFFFFFu, r.FreeHeapBytes);
            Assert.AreEqual(8u, r.SpectraDropped);
            Assert.AreEqual(8 + 36, d.BodyLength);

            // Firmware from before the trailing spectra_dropped field sends 32 bytes: still read, dropped = 0.
            byte[] older = new byte[32];
            older[0] = 42;
            d = DecodeOne(Copy(encoder.Output, encoder.EncodeText(MessageType.Status, older, 0, 32)));
            Assert.AreEqual((int)MessageType.Status, (int)d.Frame.Type);
            Assert.AreEqual(42u, d.Frame.Status.UptimeMs);
            Assert.AreEqual(0u, d.Frame.Status.SpectraDropped);

            byte[] detail = new byte[16];
            int dn = Utf8Text.Encode("bad key", detail, 0);
            d = DecodeOne(Copy(encoder.Output, encoder.EncodeAck(0x12345678, MessageType.AckBadConfig, detail, 0, dn)));
            Assert.AreEqual((int)MessageType.Ack, (int)d.Frame.Type);
            Assert.AreEqual(0x12345678u, d.Frame.Ack.CommandSeq);
            Assert.AreEqual(1, d.Frame.Ack.Status);
            Assert.AreEqual("bad key", d.Frame.GetText());
        }

        [TestMethod]
        public void CommandsRoundTrip()
        {
            FrameEncoder encoder = new FrameEncoder();
            byte[] types = new byte[] { MessageType.Start, MessageType.Stop, MessageType.Ping };
            for (int i = 0; i < types.Length; i++)
            {
                int n = encoder.EncodeEmpty(types[i]);
                FrameDecoder d = DecodeOne(Copy(encoder.Output, n));
                Assert.AreEqual((int)types[i], (int)d.Frame.Type);
                Assert.AreEqual(0, d.Frame.PayloadLength);
                Assert.AreEqual(8, d.BodyLength);
            }
        }

        [TestMethod]
        public void SeqWrapsAtTwoToThe32()
        {
            FrameEncoder encoder = new FrameEncoder();
            encoder.NextSeq = 0xFFFFFFFF;
            FrameDecoder d = DecodeOne(Copy(encoder.Output, encoder.EncodeEmpty(MessageType.Ping)));
            Assert.AreEqual(0xFFFFFFFFu, d.Frame.Seq);
            d = DecodeOne(Copy(encoder.Output, encoder.EncodeEmpty(MessageType.Ping)));
            Assert.AreEqual(0u, d.Frame.Seq);
            Assert.AreEqual(1u, encoder.NextSeq);
        }

        private static byte[] WireFromBody(byte[] body)
        {
            byte[] withCrc = new byte[body.Length + 4];
            System.Array.Copy(body, withCrc, body.Length);
            LittleEndian.WriteUInt32(withCrc, body.Length, new FrameCrc().Compute(body, 0, body.Length));
            byte[] wire = new byte[Cobs.MaxEncodedLength(withCrc.Length) + 1];
            int n = Cobs.Encode(withCrc, 0, withCrc.Length, wire, 0);
            wire[n] = 0;
            return Copy(wire, n + 1);
        }

        [TestMethod]
        public void EveryFlippedBitIsCaught()
        {
            byte[] body = Bytes("01 05 00 00 2A 00 00 00 01 00 00 00 02 00 00 00");
            byte[] good = WireFromBody(body);
            FrameDecoder decoder = new FrameDecoder();
            Assert.AreEqual(1, Feed(decoder, good, good.Length, null));
            for (int bit = 0; bit < body.Length * 8 + 32; bit++)
            {
                // Flip inside body or CRC, then re-stuff: the frame is well formed but its CRC must fail.
                byte[] withCrc = new byte[body.Length + 4];
                System.Array.Copy(body, withCrc, body.Length);
                LittleEndian.WriteUInt32(withCrc, body.Length, new FrameCrc().Compute(body, 0, body.Length));
                withCrc[bit / 8] ^= (byte)(1 << (bit % 8));
                byte[] wire = new byte[40];
                int n = Cobs.Encode(withCrc, 0, withCrc.Length, wire, 0);
                wire[n] = 0;
                Assert.AreEqual(0, Feed(decoder, wire, n + 1, null), "bit " + bit.ToString());
            }

            Assert.AreEqual((uint)(body.Length * 8 + 32), decoder.BadCrc);
        }

        [TestMethod]
        public void ResynchronisesAfterGarbage()
        {
            FrameEncoder encoder = new FrameEncoder();
            byte[] a = Copy(encoder.Output, encoder.EncodeEmpty(MessageType.Ping));
            byte[] b = Copy(encoder.Output, encoder.EncodeEmpty(MessageType.Start));
            byte[] garbage = Bytes("13 37 FF 42 99 01 02");

            // Garbage ended by a zero, then two frames: the garbage is one bad frame, both frames arrive.
            FrameDecoder d = new FrameDecoder();
            byte[] stream = Concat(Concat(Concat(garbage, Bytes("00")), a), b);
            Assert.AreEqual(2, Feed(d, stream, stream.Length, null));
            Assert.AreEqual(1u, d.BadCrc + d.MalformedCobs + d.TooShort);

            // Garbage glued to the front of a frame costs that frame, not the next.
            d = new FrameDecoder();
            stream = Concat(Concat(garbage, a), b);
            Assert.AreEqual(1, Feed(d, stream, stream.Length, null));
            Assert.AreEqual((int)MessageType.Start, (int)d.Frame.Type);

            // Starting in the middle of a frame.
            d = new FrameDecoder();
            byte[] tail = new byte[a.Length - 3];
            System.Array.Copy(a, 3, tail, 0, tail.Length);
            stream = Concat(tail, b);
            Assert.AreEqual(1, Feed(d, stream, stream.Length, null));
            Assert.AreEqual(1u, d.Frame.Seq);

            // Bytes fed one at a time give the same frames.
            d = new FrameDecoder();
            stream = Concat(Concat(Concat(garbage, Bytes("00 00")), a), b);
            int frames = 0;
            for (int i = 0; i < stream.Length; i++)
            {
                if (d.Push(stream[i]))
                {
                    frames++;
                }
            }

            Assert.AreEqual(2, frames);
        }

        [TestMethod]
        public void LengthVersionAndTypeRulesAreCounted()
        {
            FrameDecoder d = new FrameDecoder();
            byte[] tooShort = WireFromBody(Bytes("01 84 00 00 00 00 00"));
            Assert.AreEqual(0, Feed(d, tooShort, tooShort.Length, null));
            Assert.AreEqual(1u, d.TooShort);

            byte[] longBody = new byte[1025];
            longBody[0] = 1;
            longBody[1] = MessageType.Log;
            for (int i = 8; i < longBody.Length; i++)
            {
                longBody[i] = 0x41;
            }

            byte[] tooLong = WireFromBody(longBody);
            Assert.AreEqual(0, Feed(d, tooLong, tooLong.Length, null));
            Assert.AreEqual(1u, d.TooLong);

            byte[] maxBody = new byte[1024];
            System.Array.Copy(longBody, maxBody, 1024);
            byte[] longest = WireFromBody(maxBody);
            Assert.AreEqual(1, Feed(d, longest, longest.Length, null));
            Assert.AreEqual(1016, d.Frame.TextLength);

            byte[] runaway = new byte[3000];
            for (int i = 0; i < runaway.Length - 1; i++)
            {
                runaway[i] = 0x55;
            }

            Assert.AreEqual(0, Feed(d, runaway, runaway.Length, null));
            Assert.AreEqual(2u, d.TooLong);

            byte[] version2 = WireFromBody(Bytes("02 84 00 00 00 00 00 00"));
            Assert.AreEqual(0, Feed(d, version2, version2.Length, null));
            Assert.AreEqual(1u, d.UnknownVersion);

            byte[] unknownType = WireFromBody(Bytes("01 42 00 00 00 00 00 00 AA BB"));
            Assert.AreEqual(0, Feed(d, unknownType, unknownType.Length, null));
            Assert.AreEqual(1u, d.UnknownType);

            byte[] shortStatus = WireFromBody(Bytes("01 04 00 00 00 00 00 00 01 02 03"));
            Assert.AreEqual(0, Feed(d, shortStatus, shortStatus.Length, null));
            Assert.AreEqual(1u, d.BadPayload);

            byte[] ping = WireFromBody(Bytes("01 84 00 00 05 00 00 00"));
            Assert.AreEqual(1, Feed(d, ping, ping.Length, null));
            Assert.AreEqual(5u, d.Frame.Seq);
            Assert.AreEqual(2u, d.FramesAccepted);
        }

        [TestMethod]
        public void TransmitQueueDropsWholeFramesWhenFull()
        {
            TransmitQueue q = new TransmitQueue(2);
            byte[] frame = Bytes("05 01 02 03 04 00");
            Assert.IsTrue(q.TryEnqueue(frame, 0, 6));
            frame[1] = 9;
            Assert.IsTrue(q.TryEnqueue(frame, 0, 6));
            Assert.IsFalse(q.TryEnqueue(frame, 0, 6));
            Assert.AreEqual(1u, q.DroppedFrames);
            byte[] out1 = new byte[MessageType.MaxEncodedFrameBytes];
            Assert.AreEqual(6, q.TryDequeue(out1));
            Assert.AreEqual(1, (int)out1[1]);
            Assert.AreEqual(6, q.TryDequeue(out1));
            Assert.AreEqual(9, (int)out1[1]);
            Assert.AreEqual(0, q.TryDequeue(out1));
            Assert.IsTrue(q.TryEnqueue(frame, 2, 3));
            Assert.AreEqual(3, q.TryDequeue(out1));
            Assert.AreEqual(2, (int)out1[0]);
        }

        [TestMethod]
        public void Utf8MatchesHandEncodedBytes()
        {
            byte[] buffer = new byte[16];
            // Δ is U+0394 -> CE 94; µ is U+00B5 -> C2 B5; € is U+20AC -> E2 82 AC.
            int n = Utf8Text.Encode("AΔµ€", buffer, 0);
            AssertBytes(Bytes("41 CE 94 C2 B5 E2 82 AC"), buffer, n);
            Assert.AreEqual("AΔµ€", Utf8Text.Decode(buffer, 0, n));
        }
    }
}
