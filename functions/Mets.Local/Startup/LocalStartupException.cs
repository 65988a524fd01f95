namespace Mets.Local.Startup;

/// <summary>The local host cannot start as configured; the message names the setting or file to fix.</summary>
public sealed class LocalStartupException : Exception
{
    public LocalStartupException()
    {
    }

    public LocalStartupException(string message)
        : base(message)
    {
    }

    public LocalStartupException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
