using System.IO.Hashing;

namespace NbnEdge.Firmware.Protocol
{
    /// <summary>
    /// The frame CRC of docs/PROTOCOL.md: IEEE 802.3 CRC-32 (check value of "123456789" is 0xCBF43926),
    /// computed by the platform's System.IO.Hashing.Crc32 (native code on nanoFramework).
    /// One instance per thread: it keeps hashing state.
    /// </summary>
    public sealed class FrameCrc
    {
        private readonly Crc32 _crc = new Crc32();

        /// <summary>CRC-32 of <paramref name="count"/> bytes of <paramref name="buffer"/> from <paramref name="offset"/>.</summary>
        public uint Compute(byte[] buffer, int offset, int count)
        {
            _crc.Reset();
#if NANOFRAMEWORK_1_0
            // nanoFramework's Crc32 takes a SpanByte (a struct: no allocation) for a slice.
            _crc.Append(new System.SpanByte(buffer, offset, count));
#else
            // Desktop Crc32 takes ReadOnlySpan<byte>; the only shape difference between the two.
            _crc.Append(new System.ReadOnlySpan<byte>(buffer, offset, count));
#endif
            return _crc.GetCurrentHashAsUInt32();
        }
    }
}
