using Microsoft.Extensions.Options;

namespace Studio.Web.Features;

/// <summary>Runs the validation that options registered with ValidateOnStart would run at host start, and returns the messages.</summary>
public static class StartupSettings
{
    public static IReadOnlyList<string> Problems(IServiceProvider services)
    {
        try
        {
            services.GetService<IStartupValidator>()?.Validate();
            return [];
        }
        catch (OptionsValidationException ex)
        {
            return ex.Failures.ToList();
        }
        catch (AggregateException ex) when (ex.InnerExceptions.All(e => e is OptionsValidationException))
        {
            return ex.InnerExceptions.Cast<OptionsValidationException>().SelectMany(e => e.Failures).ToList();
        }
    }
}
