using System.Reflection;
using System.Text.Json;

namespace NbnEdge.Cli.Firmware;

/// <summary>One supported board, as its boards/ID/board.json describes it.</summary>
/// <param name="Id">board id (its folder under boards/, and what its HELLO says)</param>
/// <param name="Mcu">microcontroller</param>
/// <param name="Module">development board and module</param>
/// <param name="NanoffTarget">the nanoFramework firmware target nanoff flashes (<c>--target</c>)</param>
/// <param name="Pins">pin summary: SPI, ADC control and data UART</param>
/// <param name="DataUart">the data UART: port, pins and rate</param>
/// <param name="DataBaud">the data UART's rate</param>
public sealed record BoardInfo(string Id, string Mcu, string Module, string NanoffTarget, string Pins, string DataUart, int DataBaud);

/// <summary>
/// The boards nbnedge supports, read from the board.json files built into it (so that an installed
/// nbnedge, far from a clone of the repository, knows them too).
/// </summary>
public static class BoardCatalog
{
    /// <summary>
    /// ESP32-family firmware targets nanoff offers (<c>nanoff --listtargets</c> of the reference
    /// targets of nanoframework/nf-interpreter): a board.json naming anything else is a typo that
    /// nanoff would only report after the user has put the board in download mode.
    /// </summary>
    public static readonly IReadOnlySet<string> NanoffEsp32Targets = new HashSet<string>(StringComparer.Ordinal)
    {
        "ESP32_REV0", "ESP32_REV3", "ESP32_PSRAM_REV0", "ESP32_PSRAM_REV3", "ESP32_BLE_REV0", "ESP32_BLE_REV3",
        "ESP32_PSRAM_BLE_REV0", "ESP32_PSRAM_BLE_REV3", "ESP32_PSRAM_XTAL26_REV0", "ESP32_PICO",
        "ESP32_S2_USB", "ESP32_S2_UART", "ESP32_S3", "ESP32_S3_ALL", "ESP32_S3_BLE", "ESP32_S3_ALL_UART", "ESP32_S3_BLE_UART",
        "ESP32_C3", "ESP32_C6_THREAD", "ESP32_H2_THREAD",
    };

    private static readonly Lazy<IReadOnlyList<BoardInfo>> Boards = new(Load);

    /// <summary>Every supported board, by id.</summary>
    public static IReadOnlyList<BoardInfo> All => Boards.Value;

    /// <summary>The board with this id, or null.</summary>
    public static BoardInfo? Find(string id) => All.FirstOrDefault(b => b.Id == id);

    /// <summary>Parses one board.json.</summary>
    public static BoardInfo Parse(string json)
    {
        JsonElement j = JsonDocument.Parse(json).RootElement;
        JsonElement spi = j.GetProperty("spi");
        JsonElement adc = j.GetProperty("adc_pins");
        JsonElement uart = j.GetProperty("uart");
        string pins = $"SPI{spi.GetProperty("bus").GetInt32()} MOSI {spi.GetProperty("mosi").GetInt32()}, MISO {spi.GetProperty("miso").GetInt32()}, " +
                      $"SCK {spi.GetProperty("sck").GetInt32()}, CS {spi.GetProperty("cs").GetInt32()}; DRDY {adc.GetProperty("drdy").GetInt32()}, " +
                      $"SYNC/RESET {adc.GetProperty("sync_reset").GetInt32()}";
        int baud = uart.GetProperty("baud").GetInt32();
        string dataUart = $"{uart.GetProperty("port").GetString()} TX {uart.GetProperty("tx").GetInt32()}, RX {uart.GetProperty("rx").GetInt32()}, {baud} baud";
        return new BoardInfo(j.GetProperty("id").GetString()!, j.GetProperty("mcu").GetString()!, j.GetProperty("module").GetString()!,
            j.GetProperty("nanoff_target").GetString()!, pins, dataUart, baud);
    }

    private static IReadOnlyList<BoardInfo> Load()
    {
        var assembly = Assembly.GetExecutingAssembly();
        return assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith("boards/", StringComparison.Ordinal) && n.EndsWith("/board.json", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(n =>
            {
                using var reader = new StreamReader(assembly.GetManifestResourceStream(n)!);
                return Parse(reader.ReadToEnd());
            })
            .ToList();
    }
}
