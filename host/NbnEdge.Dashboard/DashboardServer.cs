using System.Net;
using System.Reflection;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace NbnEdge.Dashboard;

/// <summary>Where and how the dashboard listens.</summary>
public sealed record DashboardServerOptions
{
    /// <summary>IP address or "localhost" to bind. Default: 127.0.0.1.</summary>
    public string ListenAddress { get; init; } = "127.0.0.1";

    /// <summary>TCP port; 0 picks a free one (read it from <see cref="DashboardServer.Url"/>).</summary>
    public int Port { get; init; }

    /// <summary>
    /// Allows a non-loopback <see cref="ListenAddress"/>. The CLI sets it only when the user named
    /// the address with --listen: by default nobody else on the network can see the instrument's data.
    /// </summary>
    public bool AllowNonLoopback { get; init; }

    /// <summary>
    /// Host names the server answers to besides loopback names and, when bound beyond loopback, the
    /// machine's own names and addresses (e.g. a DNS alias of the lab PC). Any other Host header gets 421.
    /// </summary>
    public IReadOnlyList<string> AllowedHosts { get; init; } = [];

    /// <summary>Shortest time between two updates to one client (≤ 10 updates/s by default).</summary>
    public TimeSpan MinUpdateInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>A comment line is sent this often when nothing changes, so proxies and browsers keep the stream open.</summary>
    public TimeSpan KeepAliveInterval { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Serve the facility view instead of one session: <c>/</c> is the page of station cards,
    /// <c>/station/NAME/</c> each station's full live view (the session page on that station's state).
    /// </summary>
    public FacilityState? Facility { get; init; }
}

/// <summary>The dashboard refused an address (the message is written for the CLI's user).</summary>
public sealed class DashboardBindException : Exception
{
    /// <summary>Creates the exception.</summary>
    public DashboardBindException(string message, Exception? inner = null) : base(message, inner) { }
}

/// <summary>
/// The read-only web dashboard: one page, its own script and style, the state as JSON
/// (<c>GET /api/state</c>) and a Server-Sent Events stream of changes (<c>GET /api/events</c>).
/// Only GET and HEAD are answered; nothing here changes the instrument or the session.
/// </summary>
public sealed class DashboardServer : IAsyncDisposable
{
    /// <summary>The Content-Security-Policy of every response: nothing but this server, no inline script or style, no framing.</summary>
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
        "frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

    private readonly WebApplication _app;

    private DashboardServer(WebApplication app, DashboardState state, Uri url)
    {
        _app = app;
        State = state;
        Url = url;
    }

    /// <summary>The state being shown.</summary>
    public DashboardState State { get; }

    /// <summary>The page's address, with the port actually bound (e.g. http://127.0.0.1:43817/).</summary>
    public Uri Url { get; }

    /// <summary>
    /// Checks an address the way <see cref="StartAsync"/> does: "localhost" and loopback IPs
    /// always pass; any other IP only with <paramref name="allowNonLoopback"/>; host names other
    /// than localhost never (a name may resolve off the machine).
    /// </summary>
    /// <exception cref="DashboardBindException">The address is refused; the message says why and what to do.</exception>
    public static IPAddress ResolveListenAddress(string listenAddress, bool allowNonLoopback)
    {
        string a = listenAddress.Trim();
        if (a.Length > 2 && a[0] == '[' && a[^1] == ']') a = a[1..^1];
        if (a.Equals("localhost", StringComparison.OrdinalIgnoreCase)) return IPAddress.Loopback;
        if (!IPAddress.TryParse(a, out var ip))
            throw new DashboardBindException($"the dashboard listen address '{listenAddress}' is not an IP address; use 127.0.0.1 (default), ::1, or an explicit IP with --listen.");
        // "0", "10.1" or "0x7f000001" parse as IPv4 but nobody means every interface by "0": only the dotted form is taken.
        if (ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork && ip.ToString() != a)
            throw new DashboardBindException(
                $"the dashboard listen address '{listenAddress}' would be read as {ip}; write it out in full (--listen {ip}) if that is what you mean.");
        if (IPAddress.IsLoopback(ip)) return ip;
        if (!allowNonLoopback)
            throw new DashboardBindException(
                $"refusing to serve the dashboard on {ip}: it is not a loopback address, so other machines could read the session. " +
                $"Pass --listen {ip} explicitly to allow it.");
        return ip;
    }

    /// <summary>Starts the server; returns once it accepts connections.</summary>
    /// <exception cref="DashboardBindException">The address is refused, or the port cannot be bound.</exception>
    public static async Task<DashboardServer> StartAsync(DashboardState state, DashboardServerOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(state);
        var o = options ?? new DashboardServerOptions();
        var ip = ResolveListenAddress(o.ListenAddress, o.AllowNonLoopback);
        ArgumentOutOfRangeException.ThrowIfNegative(o.Port);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(o.Port, 65535);

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ApplicationName = "NbnEdge.Dashboard",
            ContentRootPath = AppContext.BaseDirectory,
            EnvironmentName = Environments.Production,
        });
        // The CLI owns stdout (its JSON); the server logs nothing there.
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Listen(ip, o.Port);
        });
        builder.WebHost.UseShutdownTimeout(TimeSpan.FromSeconds(2));
        // The host's console lifetime would take SIGINT/SIGTERM for itself (stopping only the web
        // server, and cancelling the process's own exit): the CLI decides what a signal means.
        builder.Services.AddSingleton<IHostLifetime, CallerOwnedLifetime>();
        var app = builder.Build();
        var assets = StaticAssets.Load();
        var hosts = new DashboardHostFilter(ip, o.AllowedHosts);

        app.Use(async (ctx, next) =>
        {
            var h = ctx.Response.Headers;
            h.ContentSecurityPolicy = ContentSecurityPolicy;
            h.XContentTypeOptions = "nosniff";
            h["Referrer-Policy"] = "no-referrer";
            h.XFrameOptions = "DENY";
            h["Cross-Origin-Resource-Policy"] = "same-origin";
            h["Cross-Origin-Opener-Policy"] = "same-origin";
            h["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()";
            if (!HttpMethods.IsGet(ctx.Request.Method) && !HttpMethods.IsHead(ctx.Request.Method))
            {
                // Read-only by construction: no verb but GET/HEAD reaches any handler.
                ctx.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
                h.Allow = "GET, HEAD";
                return;
            }
            if (!hosts.Allows(ctx.Request.Host.Host))
            {
                // A page on another site could point its name at this machine (DNS rebinding) and read
                // the session: the server answers only to its own names and addresses.
                ctx.Response.StatusCode = StatusCodes.Status421MisdirectedRequest;
                return;
            }
            await next(ctx);
        });

        foreach (var (path, asset) in assets)
        {
            var a = asset;
            app.MapGet(path, (HttpContext ctx) =>
            {
                ctx.Response.Headers.CacheControl = "no-cache";
                return Results.Bytes(a.Content, a.ContentType);
            });
        }
        if (o.Facility is { } facility) MapFacility(app, facility, assets, o);
        else app.MapGet("/", (HttpContext ctx) =>
        {
            ctx.Response.Headers.CacheControl = "no-cache";
            var index = assets["/index.html"];
            return Results.Bytes(index.Content, index.ContentType);
        });
        app.MapGet("/api/state", (HttpContext ctx) =>
        {
            ctx.Response.Headers.CacheControl = "no-store";
            return Results.Bytes(state.BuildSnapshot(), "application/json; charset=utf-8");
        });
        app.MapGet("/api/events", (HttpContext ctx) => StreamEvents(ctx, state, o, app.Lifetime.ApplicationStopping));

        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException)
        {
            // Port taken, or an address this machine does not have (Linux says "Cannot assign requested address" or "Operation not supported").
            await app.DisposeAsync();
            string why = e is System.Net.Sockets.SocketException { SocketErrorCode: System.Net.Sockets.SocketError.AddressNotAvailable or System.Net.Sockets.SocketError.OperationNotSupported }
                || e.InnerException is System.Net.Sockets.SocketException { SocketErrorCode: System.Net.Sockets.SocketError.AddressNotAvailable }
                ? $"{ip} is not an address of this machine" : e.Message;
            throw new DashboardBindException($"cannot serve the dashboard on {ip}:{o.Port}: {why}.", e);
        }
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses;
        var bound = new Uri(addresses!.First());
        string host = ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{ip}]" : ip.ToString();
        return new DashboardServer(app, state, new Uri($"http://{host}:{bound.Port}/"));
    }

    private static void MapFacility(WebApplication app, FacilityState facility, Dictionary<string, StaticAssets> assets, DashboardServerOptions o)
    {
        app.MapGet("/", (HttpContext ctx) =>
        {
            ctx.Response.Headers.CacheControl = "no-cache";
            var page = assets["/facility.html"];
            return Results.Bytes(page.Content, page.ContentType);
        });
        app.MapGet("/api/stations", (HttpContext ctx) =>
        {
            ctx.Response.Headers.CacheControl = "no-store";
            return Results.Bytes(facility.BuildJson(), "application/json; charset=utf-8");
        });
        app.MapGet("/station/{name}/", (HttpContext ctx, string name) =>
        {
            if (facility.FindView(name) is null) return Results.NotFound();
            // The session page's script asks for api/events relative to the page: /station/NAME/ needs the slash.
            if (!ctx.Request.Path.Value!.EndsWith('/')) return Results.Redirect($"/station/{Uri.EscapeDataString(name)}/");
            ctx.Response.Headers.CacheControl = "no-cache";
            var index = assets["/index.html"];
            return Results.Bytes(index.Content, index.ContentType);
        });
        app.MapGet("/station/{name}/api/state", (HttpContext ctx, string name) =>
        {
            ctx.Response.Headers.CacheControl = "no-store";
            return facility.FindView(name) is { } view ? Results.Bytes(view.BuildSnapshot(), "application/json; charset=utf-8") : Results.NotFound();
        });
        app.MapGet("/station/{name}/api/events", async (HttpContext ctx, string name) =>
        {
            if (facility.FindView(name) is not { } view)
            {
                ctx.Response.StatusCode = StatusCodes.Status404NotFound;
                return;
            }

            await StreamEvents(ctx, view, o, app.Lifetime.ApplicationStopping);
        });
    }

    private static async Task StreamEvents(HttpContext ctx, DashboardState state, DashboardServerOptions o, CancellationToken stopping)
    {
        ctx.Response.ContentType = "text/event-stream; charset=utf-8";
        ctx.Response.Headers.CacheControl = "no-store";
        ctx.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpResponseBodyFeature>()?.DisableBuffering();
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ctx.RequestAborted, stopping);
        var ct = cts.Token;
        // A reconnecting EventSource sends the last id it saw: resume there instead of resending everything.
        string? last = ctx.Request.Headers["Last-Event-ID"].FirstOrDefault() ?? ctx.Request.Query["cursor"].FirstOrDefault();
        var cursor = DashboardCursor.Parse(last);
        var body = ctx.Response.Body;
        try
        {
            await body.WriteAsync("retry: 1000\n\n"u8.ToArray(), ct);
            await body.FlushAsync(ct);
            long known = long.MinValue;
            while (!ct.IsCancellationRequested)
            {
                try
                {
                    await state.WaitForChangeAsync(known, ct).WaitAsync(o.KeepAliveInterval, ct);
                }
                catch (TimeoutException)
                {
                    await body.WriteAsync(": keep-alive\n\n"u8.ToArray(), ct);
                    await body.FlushAsync(ct);
                    continue;
                }
                var json = state.BuildUpdate(cursor, out var next, out known);
                cursor = next;
                await body.WriteAsync(Encoding.UTF8.GetBytes($"id: {next}\nevent: update\ndata: "), ct);
                await body.WriteAsync(json, ct); // Utf8JsonWriter output has no raw newlines
                await body.WriteAsync("\n\n"u8.ToArray(), ct);
                await body.FlushAsync(ct);
                // Throttle: changes that arrive meanwhile are merged into the next update.
                await Task.Delay(o.MinUpdateInterval, ct);
            }
        }
        catch (OperationCanceledException) { }
        catch (IOException) { } // the browser went away
    }

    /// <summary>Stops accepting connections and ends the event streams.</summary>
    public async Task StopAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await _app.StopAsync(cts.Token);
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        try { await StopAsync(); } catch (OperationCanceledException) { }
        await _app.DisposeAsync();
    }

    /// <summary>A host lifetime that leaves the process's signals alone.</summary>
    private sealed class CallerOwnedLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    /// <summary>The page, script and style, embedded in this assembly (written for this project; no third-party code).</summary>
    private sealed record StaticAssets(byte[] Content, string ContentType)
    {
        public static Dictionary<string, StaticAssets> Load()
        {
            var asm = typeof(DashboardServer).Assembly;
            var result = new Dictionary<string, StaticAssets>(StringComparer.Ordinal);
            foreach (var name in asm.GetManifestResourceNames().Where(n => n.StartsWith("wwwroot/", StringComparison.Ordinal)))
            {
                using var s = asm.GetManifestResourceStream(name)!;
                using var ms = new MemoryStream();
                s.CopyTo(ms);
                string path = "/" + name["wwwroot/".Length..];
                string type = Path.GetExtension(path) switch
                {
                    ".html" => "text/html; charset=utf-8",
                    ".js" => "text/javascript; charset=utf-8",
                    ".css" => "text/css; charset=utf-8",
                    ".svg" => "image/svg+xml",
                    _ => "application/octet-stream",
                };
                result[path] = new StaticAssets(ms.ToArray(), type);
            }
            if (!result.ContainsKey("/index.html"))
                throw new InvalidOperationException("the dashboard page is missing from the assembly's resources.");
            return result;
        }
    }
}
