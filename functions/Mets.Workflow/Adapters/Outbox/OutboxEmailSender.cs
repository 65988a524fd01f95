using System.Text;
using Mets.Workflow.Emails;
using MimeKit;

namespace Mets.Workflow.Adapters.Outbox;

/// <summary>
/// The embedded mailer: writes each email as a real .eml file (MimeKit) into an outbox folder, named by
/// the email's idempotency key. The file is written under a temporary name and renamed into place
/// without overwriting, so a retried activity never yields a second email and a reader never sees a
/// half-written one. Within the process the existence check and the rename are also serialized: on some
/// file systems .NET's no-overwrite move is a check followed by a rename, which two concurrent sends of
/// one key could both pass (seen once in the test suite).
/// </summary>
public sealed class OutboxEmailSender : IEmailSender, IDisposable
{
    private readonly string _folder;
    private readonly MailboxAddress _from;
    private readonly SemaphoreSlim _publish = new(1, 1);

    public OutboxEmailSender(string folder, string fromAddress)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        _folder = folder;
        _from = MailboxAddress.Parse(fromAddress);
        Directory.CreateDirectory(folder);
    }

    public string Folder => _folder;

    /// <summary>The outbox file name for an idempotency key (characters outside letters, digits, '-' and '_' become '_').</summary>
    public static string FileNameFor(string idempotencyKey)
    {
        ArgumentException.ThrowIfNullOrEmpty(idempotencyKey);
        var name = new StringBuilder(idempotencyKey.Length + 4);
        foreach (var c in idempotencyKey)
        {
            name.Append(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '_');
        }

        return name.Append(".eml").ToString();
    }

    public async Task<bool> SendAsync(OutgoingEmail email, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(email);
        var path = Path.Combine(_folder, FileNameFor(email.IdempotencyKey));
        if (File.Exists(path))
        {
            return false;
        }

        using var message = new MimeMessage();
        message.From.Add(_from);
        message.To.Add(MailboxAddress.Parse(email.To));
        message.Subject = email.Subject;
        message.MessageId = $"{Path.GetFileNameWithoutExtension(path)}@mets.outbox";
        message.Body = new TextPart("plain") { Text = email.TextBody };

        var temporary = Path.Combine(_folder, $".{Guid.NewGuid():N}.tmp");
        try
        {
            await message.WriteToAsync(temporary, cancellationToken);
            await _publish.WaitAsync(cancellationToken);
            try
            {
                if (File.Exists(path))
                {
                    return false; // another attempt won: one email
                }

                File.Move(temporary, path, overwrite: false);
                return true;
            }
            catch (IOException) when (File.Exists(path))
            {
                return false; // another process won the rename: one email
            }
            finally
            {
                _publish.Release();
            }
        }
        finally
        {
            if (File.Exists(temporary))
            {
                File.Delete(temporary);
            }
        }
    }

    public void Dispose() => _publish.Dispose();
}
