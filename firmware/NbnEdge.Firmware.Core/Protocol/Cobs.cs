namespace NbnEdge.Firmware.Protocol
{
    /// <summary>
    /// Consistent Overhead Byte Stuffing (Cheshire and Baker, 1999): the encoded bytes hold no 0x00,
    /// so 0x00 can end every frame on the wire and a reader resynchronises at the next one.
    /// Works on caller-owned arrays with offsets so the firmware never allocates per frame.
    /// </summary>
    public static class Cobs
    {
        /// <summary>Returned by <see cref="Decode"/> when the input is not a valid COBS encoding.</summary>
        public const int Malformed = -1;

        /// <summary>Returned by <see cref="Decode"/> when the decoded bytes do not fit the destination.</summary>
        public const int DestinationTooSmall = -2;

        /// <summary>The largest encoding of <paramref name="sourceLength"/> bytes, without the 0x00 delimiter.</summary>
        public static int MaxEncodedLength(int sourceLength)
        {
            // One code byte per started run of 254 data bytes, at least one.
            return sourceLength + sourceLength / 254 + 1;
        }

        /// <summary>
        /// Encodes <paramref name="count"/> bytes of <paramref name="source"/> into <paramref name="destination"/>
        /// (no delimiter is written). Returns the number of bytes written. The destination must hold
        /// <see cref="MaxEncodedLength"/> bytes; it must not overlap the source.
        /// </summary>
        public static int Encode(byte[] source, int sourceOffset, int count, byte[] destination, int destinationOffset)
        {
            int codeIndex = destinationOffset;
            int write = destinationOffset + 1;
            int code = 1;
            // A run of 254 non-zero bytes closes its block without an implied zero; if the input
            // ends right there, no further (empty) block is written: the shortest valid encoding.
            bool endsWithFullBlock = false;
            int end = sourceOffset + count;
            for (int read = sourceOffset; read < end; read++)
            {
                byte value = source[read];
                endsWithFullBlock = false;
                if (value == 0)
                {
                    destination[codeIndex] = (byte)code;
                    codeIndex = write++;
                    code = 1;
                }
                else
                {
                    destination[write++] = value;
                    code++;
                    if (code == 0xFF)
                    {
                        destination[codeIndex] = 0xFF;
                        codeIndex = write++;
                        code = 1;
                        endsWithFullBlock = true;
                    }
                }
            }

            if (endsWithFullBlock)
            {
                // Give back the code byte reserved for a block that has no data.
                return codeIndex - destinationOffset;
            }

            destination[codeIndex] = (byte)code;
            return write - destinationOffset;
        }

        /// <summary>
        /// Decodes one COBS-encoded frame (without its 0x00 delimiter). Returns the decoded length,
        /// <see cref="Malformed"/> if a code byte points past the end or a 0x00 appears inside, or
        /// <see cref="DestinationTooSmall"/> if more than <paramref name="destinationCapacity"/> bytes
        /// would result. Accepts both the shortest encoding and one ending in a redundant 0x01 block.
        /// </summary>
        public static int Decode(byte[] source, int sourceOffset, int count, byte[] destination, int destinationOffset, int destinationCapacity)
        {
            int read = sourceOffset;
            int end = sourceOffset + count;
            int write = destinationOffset;
            int limit = destinationOffset + destinationCapacity;
            while (read < end)
            {
                int code = source[read++];
                if (code == 0)
                {
                    return Malformed;
                }

                int dataBytes = code - 1;
                if (read + dataBytes > end)
                {
                    return Malformed;
                }

                if (write + dataBytes > limit)
                {
                    return DestinationTooSmall;
                }

                for (int i = 0; i < dataBytes; i++)
                {
                    byte value = source[read++];
                    if (value == 0)
                    {
                        return Malformed;
                    }

                    destination[write++] = value;
                }

                // Every block shorter than 254 data bytes stands for "data, then a zero", except
                // the last one, whose zero is the phantom the encoder appended.
                if (code != 0xFF && read < end)
                {
                    if (write >= limit)
                    {
                        return DestinationTooSmall;
                    }

                    destination[write++] = 0;
                }
            }

            return write - destinationOffset;
        }
    }
}
