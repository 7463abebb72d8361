using System.Globalization;
using System.Text.RegularExpressions;

namespace Studio.Emulator.Faults;

/// <summary>One fault mode of a directive, e.g. <c>create-429(retryAfter=3,count=2)</c>.</summary>
internal sealed record FaultMode(string Name, IReadOnlyDictionary<string, string> Parameters)
{
    /// <summary>A numeric parameter (invariant culture, fractions allowed), or <paramref name="fallback"/> when absent or not a number.</summary>
    public double Number(string key, double fallback) =>
        Parameters.TryGetValue(key, out var value) && double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number)
            && double.IsFinite(number) && number >= 0
            ? number
            : fallback;

    public int Integer(string key, int fallback) => (int)Math.Min(int.MaxValue, Math.Floor(Number(key, fallback)));

    public TimeSpan Seconds(string key, double fallback) => TimeSpan.FromSeconds(Number(key, fallback));

    public override string ToString() =>
        Parameters.Count == 0 ? Name : $"{Name}({string.Join(",", Parameters.Select(p => $"{p.Key}={p.Value}"))})";
}

/// <summary>The fault modes that apply to one request and the task made from it (empty: behave normally).</summary>
internal sealed class FaultPlan(IReadOnlyList<FaultMode> modes)
{
    public static readonly FaultPlan None = new([]);

    public IReadOnlyList<FaultMode> Modes { get; } = modes;

    public bool IsEmpty => Modes.Count == 0;

    /// <summary>The first mode called <paramref name="name"/>; a later repetition of a mode is ignored.</summary>
    public FaultMode? Find(string name) => Modes.FirstOrDefault(m => m.Name == name);

    public bool Has(string name) => Find(name) is not null;

    public override string ToString() => $"[[fault: {string.Join("; ", Modes)}]]";
}

/// <summary>
/// Parses fault directives written inside a prompt: <c>[[fault: mode; mode(key=value,key=value)]]</c>, anywhere in the
/// text, case-insensitive, several directives merged in order. Modes are separated by <c>;</c>, parameters by <c>,</c>.
/// </summary>
internal static partial class FaultDirective
{
    public static readonly IReadOnlySet<string> KnownModes = new HashSet<string>(StringComparer.Ordinal)
    {
        FaultModes.Create429, FaultModes.Create5xx, FaultModes.Create402, FaultModes.CreateReset, FaultModes.CreateTimeout,
        FaultModes.Status5xx, FaultModes.Status429, FaultModes.Throttled, FaultModes.Moderation,
        FaultModes.Output403, FaultModes.OutputStall, FaultModes.OutputTruncate, FaultModes.OutputSize,
        FaultModes.CallbackDuplicate, FaultModes.CallbackDelay, FaultModes.CallbackOutOfOrder,
    };

    [GeneratedRegex(@"\[\[\s*fault\s*:(?<body>.*?)\]\]", RegexOptions.IgnoreCase | RegexOptions.Singleline | RegexOptions.CultureInvariant)]
    private static partial Regex DirectivePattern();

    [GeneratedRegex(@"^\s*(?<name>[A-Za-z0-9][A-Za-z0-9_-]*)\s*(?:\((?<args>[^()]*)\))?\s*$", RegexOptions.CultureInvariant)]
    private static partial Regex ModePattern();

    /// <summary>True when <paramref name="text"/> holds at least one directive.</summary>
    public static bool Contains(string? text) => text is not null && DirectivePattern().IsMatch(text);

    /// <summary>
    /// The plan written in <paramref name="text"/>, or null when it holds no directive. Unknown or malformed modes are
    /// left out and reported in <paramref name="ignored"/>.
    /// </summary>
    public static FaultPlan? Parse(string? text, List<string>? ignored = null)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        var matches = DirectivePattern().Matches(text);
        if (matches.Count == 0)
        {
            return null;
        }

        var modes = new List<FaultMode>();
        foreach (Match match in matches)
        {
            foreach (var item in match.Groups["body"].Value.Split(';'))
            {
                if (item.Trim().Length == 0)
                {
                    continue;
                }

                var mode = ModePattern().Match(item);
                var name = mode.Success ? mode.Groups["name"].Value.ToLowerInvariant() : null;
                if (name is null || !KnownModes.Contains(name))
                {
                    ignored?.Add(item.Trim());
                    continue;
                }

                var parameters = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
                foreach (var pair in mode.Groups["args"].Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                {
                    var equals = pair.IndexOf('=');
                    if (equals <= 0)
                    {
                        ignored?.Add($"{name}: {pair}");
                        continue;
                    }

                    parameters[pair[..equals].Trim()] = pair[(equals + 1)..].Trim();
                }

                modes.Add(new FaultMode(name, parameters));
            }
        }

        return new FaultPlan(modes);
    }

    /// <summary><paramref name="text"/> without its directives; every other character is kept as it was.</summary>
    public static string Strip(string text) => Contains(text) ? DirectivePattern().Replace(text, string.Empty) : text;
}

internal static class FaultModes
{
    public const string Create429 = "create-429";
    public const string Create5xx = "create-5xx";
    public const string Create402 = "create-402";
    public const string CreateReset = "create-reset";
    public const string CreateTimeout = "create-timeout";
    public const string Status5xx = "status-5xx";
    public const string Status429 = "status-429";
    public const string Throttled = "throttled";
    public const string Moderation = "moderation";
    public const string Output403 = "output-403";
    public const string OutputStall = "output-stall";
    public const string OutputTruncate = "output-truncate";
    public const string OutputSize = "output-size";
    public const string CallbackDuplicate = "callback-duplicate";
    public const string CallbackDelay = "callback-delay";
    public const string CallbackOutOfOrder = "callback-out-of-order";
}
