namespace NbnEdge.Firmware.Protocol
{
    /// <summary>
    /// UTF-8 conversion without System.Text: nanoFramework's CoreLibrary has no Encoding class, and
    /// HELLO, LOG, CONFIG and ACK carry UTF-8 text.
    /// </summary>
    public static class Utf8Text
    {
        /// <summary>
        /// Encodes <paramref name="text"/> into <paramref name="destination"/> from <paramref name="offset"/>,
        /// stopping before a character that would not fit. Returns the bytes written.
        /// </summary>
        public static int Encode(string text, byte[] destination, int offset)
        {
            int write = offset;
            int limit = destination.Length;
            int length = text.Length;
            for (int i = 0; i < length; i++)
            {
                int c = text[i];
                if (c >= 0xD800 && c <= 0xDBFF && i + 1 < length && text[i + 1] >= 0xDC00 && text[i + 1] <= 0xDFFF)
                {
                    c = 0x10000 + ((c - 0xD800) << 10) + (text[i + 1] - 0xDC00);
                    if (write + 4 > limit)
                    {
                        break;
                    }

                    i++;
                    destination[write++] = (byte)(0xF0 | (c >> 18));
                    destination[write++] = (byte)(0x80 | ((c >> 12) & 0x3F));
                    destination[write++] = (byte)(0x80 | ((c >> 6) & 0x3F));
                    destination[write++] = (byte)(0x80 | (c & 0x3F));
                }
                else if (c < 0x80)
                {
                    if (write + 1 > limit)
                    {
                        break;
                    }

                    destination[write++] = (byte)c;
                }
                else if (c < 0x800)
                {
                    if (write + 2 > limit)
                    {
                        break;
                    }

                    destination[write++] = (byte)(0xC0 | (c >> 6));
                    destination[write++] = (byte)(0x80 | (c & 0x3F));
                }
                else
                {
                    if (write + 3 > limit)
                    {
                        break;
                    }

                    destination[write++] = (byte)(0xE0 | (c >> 12));
                    destination[write++] = (byte)(0x80 | ((c >> 6) & 0x3F));
                    destination[write++] = (byte)(0x80 | (c & 0x3F));
                }
            }

            return write - offset;
        }

        /// <summary>Decodes UTF-8; a malformed sequence becomes U+FFFD.</summary>
        public static string Decode(byte[] source, int offset, int count)
        {
            char[] chars = new char[count];
            int n = 0;
            int read = offset;
            int end = offset + count;
            while (read < end)
            {
                int b = source[read++];
                int extra;
                int c;
                if (b < 0x80)
                {
                    chars[n++] = (char)b;
                    continue;
                }
                else if ((b & 0xE0) == 0xC0)
                {
                    extra = 1;
                    c = b & 0x1F;
                }
                else if ((b & 0xF0) == 0xE0)
                {
                    extra = 2;
                    c = b & 0x0F;
                }
                else if ((b & 0xF8) == 0xF0)
                {
                    extra = 3;
                    c = b & 0x07;
                }
                else
                {
                    chars[n++] = (char)0xFFFD;
                    continue;
                }

                bool ok = read + extra <= end;
                for (int k = 0; ok && k < extra; k++)
                {
                    int next = source[read + k];
                    if ((next & 0xC0) != 0x80)
                    {
                        ok = false;
                    }
                    else
                    {
                        c = (c << 6) | (next & 0x3F);
                    }
                }

                if (!ok)
                {
                    chars[n++] = (char)0xFFFD;
                    continue;
                }

                read += extra;
                if (c >= 0x10000)
                {
                    c -= 0x10000;
                    chars[n++] = (char)(0xD800 + (c >> 10));
                    chars[n++] = (char)(0xDC00 + (c & 0x3FF));
                }
                else
                {
                    chars[n++] = (char)c;
                }
            }

            return new string(chars, 0, n);
        }
    }
}
