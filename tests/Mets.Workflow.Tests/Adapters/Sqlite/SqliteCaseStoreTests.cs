using System.Text.Json;
using Mets.Domain.Engagements;
using Mets.Domain.Identifiers;
using Mets.Workflow.Adapters.Sqlite;
using Mets.Workflow.Cases;
using Mets.Workflow.Tests.Audit;

namespace Mets.Workflow.Tests.Adapters.Sqlite;

public sealed class SqliteCaseStoreTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "mets-casestore-tests", Guid.NewGuid().ToString("N"));
    private readonly SqliteCaseStore _store;

    public SqliteCaseStoreTests()
    {
        Directory.CreateDirectory(_folder);
        _store = new SqliteCaseStore(Path.Combine(_folder, "cases.db"));
    }

    [Fact]
    public async Task ReceiveReferral_AppliesTheIntakeRules()
    {
        var first = Sample.Referral("REF-1", at: T0);
        var id = EngagementId.New(Guid.NewGuid());
        Assert.Equal(new ReferralIntake(ReferralIntakeKind.Created, id), await _store.ReceiveReferralAsync(first, EngagementCase.Receive(id, first, T0)));
        Assert.Equal(ReferralIntakeKind.SameReferral, (await Receive(first with { ReceivedAt = T0.AddHours(1) })).Kind);
        Assert.Equal(ReferralIntakeKind.Conflict, (await Receive(first with { SafetyConcern = true })).Kind);
        var second = await Receive(Sample.Referral("REF-2", at: T0));
        Assert.Equal(new ReferralIntake(ReferralIntakeKind.AttachedToOpenEngagement, id), second);
        Assert.Equal(ReferralIntakeKind.Created, (await Receive(Sample.Referral("REF-3", memberNumber: "OTHER1", at: T0))).Kind);

        var stored = await _store.GetAsync(id);
        Assert.Equal(first.Fingerprint(), stored!.Referrals.Single().Fingerprint());
        Assert.Equal(Sample.Member(), stored.MemberId);
        Assert.NotNull(stored.ETag);
        Assert.Equal("REF-2", (await _store.GetReferralAsync(ReferralId.Parse("REF-2")))!.Id.Value);
        Assert.Equal(id, (await _store.FindOpenByMemberAsync(Sample.Member()))!.Id);
    }

    [Fact]
    public async Task ReceiveReferral_ConcurrentForOneMember_CreatesOneEngagement()
    {
        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(() => Receive(Sample.Referral($"REF-C{i}", at: T0)))));
        Assert.Single(results, r => r.Kind == ReferralIntakeKind.Created);
        Assert.Equal(7, results.Count(r => r.Kind == ReferralIntakeKind.AttachedToOpenEngagement));
        Assert.Single(results.Select(r => r.EngagementId).Distinct());
    }

    [Fact]
    public async Task Save_StaleETagConflicts_ReplayedChangeIdIsAlreadyApplied()
    {
        var referral = Sample.Referral(at: T0);
        var id = EngagementId.New(Guid.NewGuid());
        await _store.ReceiveReferralAsync(referral, EngagementCase.Receive(id, referral, T0));
        var read = (await _store.GetAsync(id))!;

        var saved = await _store.SaveAsync(read.Start(Sample.Clinician, T0.AddDays(7), T0.AddDays(180), T0), "change-1");
        Assert.Equal(CaseSaveOutcome.Saved, saved.Outcome);
        Assert.NotEqual(read.ETag, saved.Case!.ETag);
        Assert.Equal(CaseSaveOutcome.ConcurrencyConflict, (await _store.SaveAsync(read.Start(Sample.Clinician, T0.AddDays(1), T0.AddDays(180), T0), "change-2")).Outcome);
        Assert.False(await _store.HasAppliedAsync(id, "change-2"));
        Assert.Equal(CaseSaveOutcome.AlreadyApplied, (await _store.SaveAsync(saved.Case, "change-1")).Outcome);
        Assert.True(await _store.HasAppliedAsync(id, "change-1"));

        var current = (await _store.GetAsync(id))!;
        Assert.Equal(T0.AddDays(7), current.CurrentStep.DueAt);
        Assert.Equal(1, (await _store.CountOpenByClinicianAsync())[Sample.Clinician]);
        Assert.Single(await _store.ListOpenAsync(Sample.Clinician));
        Assert.Empty(await _store.ListOpenAsync(Sample.Supervisor));

        var closed = await _store.SaveAsync(current.Close(Mets.Domain.Closure.ClosureReason.GoalsMet, Actor.System, T0.AddDays(9)), "close");
        Assert.Equal(CaseSaveOutcome.Saved, closed.Outcome);
        Assert.Empty(await _store.ListOpenAsync());
        Assert.Null(await _store.FindOpenByMemberAsync(Sample.Member()));
        Assert.Equal(ReferralIntakeKind.Created, (await Receive(Sample.Referral("REF-AFTER", at: T0))).Kind);
    }

    [Fact]
    public async Task CountOpenByClinician_WalksTheIndexOfOpenCasesOnly()
    {
        await Receive(Sample.Referral("REF-1", at: T0)); // creates the schema
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(_folder, "cases.db")}");
        connection.Open();
        using var plan = connection.CreateCommand();
        plan.CommandText = "EXPLAIN QUERY PLAN " + SqliteCaseStore.OpenCountsByClinician;
        using var reader = plan.ExecuteReader();
        var steps = new List<string>();
        while (reader.Read())
        {
            steps.Add(reader.GetString(3));
        }

        Assert.Contains(steps, s => s.Contains("ix_cases_open_clinician", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AssessmentDetails_RoundTrip()
    {
        var id = EngagementId.New(Guid.NewGuid());
        var details = new AssessmentDetails(Sample.Assessment(T0, Sample.Scores(phq9Total: 14, item9: 1)), null);
        await _store.SaveAssessmentDetailsAsync(id, details);
        var back = await _store.GetAssessmentDetailsAsync(id);
        Assert.Equal(details.Assessment.Scores, back!.Assessment.Scores);
        Assert.Equal([Sample.SentinelGoal], back.Assessment.MemberStatedGoals);
    }

    [Fact]
    public async Task Get_DocumentEditedInPlaceWithItsETagKept_AnswersWhatIsOnDisk()
    {
        var id = await StartedCaseAsync();
        var before = (await _store.GetAsync(id))!;
        Assert.Equal(1, _store.ParsedDocumentsRemembered);

        await TimelineTampering.InSqliteAsync(Path.Combine(_folder, "cases.db"), id, t => TimelineTampering.EditAt(t, 2));

        var after = (await _store.GetAsync(id))!;
        Assert.Equal(before.ETag, after.ETag);
        Assert.Equal(before.Timeline[1].At.AddHours(-1), after.Timeline[1].At);
        Assert.Equal(before.Timeline[1].Hash, after.Timeline[1].Hash);
        Assert.Equal(after.Timeline[1].At, (await _store.ListOpenAsync()).Single().Timeline[1].At);
    }

    [Fact]
    public async Task Get_AfterSave_AnswersTheDocumentAsAFreshStoreParsesIt()
    {
        var id = await StartedCaseAsync();
        using var fresh = new SqliteCaseStore(Path.Combine(_folder, "cases.db"), parsedDocuments: 1);

        var remembered = (await _store.GetAsync(id))!;
        var parsed = (await fresh.GetAsync(id))!;

        Assert.Equal(parsed.ETag, remembered.ETag);
        Assert.Equal(JsonSerializer.Serialize(parsed, CaseDocumentJson.Options), JsonSerializer.Serialize(remembered, CaseDocumentJson.Options));
        Assert.Same(remembered, await _store.GetAsync(id));
        Assert.NotSame(parsed, remembered);
    }

    [Fact]
    public async Task Save_StoresTheDocumentAsJsonText()
    {
        var id = await StartedCaseAsync();
        var saved = (await _store.GetAsync(id))!;

        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(_folder, "cases.db")};Pooling=False");
        await connection.OpenAsync();
        await using var read = connection.CreateCommand();
        read.CommandText = "SELECT typeof(document), json_array_length(document, '$.timeline'), document FROM cases WHERE id = $id";
        read.Parameters.AddWithValue("$id", id.Value);
        await using var reader = await read.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.Equal("text", reader.GetString(0));
        Assert.Equal(saved.Timeline.Count, reader.GetInt32(1));
        Assert.Equal(JsonSerializer.Serialize(saved with { ETag = null }, CaseDocumentJson.Options), reader.GetString(2));
    }

    [Fact]
    public async Task Get_MoreCasesThanRemembered_KeepsTheMostRecentAndReadsTheRest()
    {
        using var store = new SqliteCaseStore(Path.Combine(_folder, "cases.db"), parsedDocuments: 2);
        var ids = new List<EngagementId>();
        for (var i = 0; i < 3; i++)
        {
            var referral = Sample.Referral($"REF-L{i}", memberNumber: $"LRU{i}", at: T0);
            var id = EngagementId.New(Guid.NewGuid());
            await store.ReceiveReferralAsync(referral, EngagementCase.Receive(id, referral, T0));
            ids.Add(id);
        }

        foreach (var id in ids)
        {
            Assert.Equal(id, (await store.GetAsync(id))!.Id);
        }

        Assert.Equal(2, store.ParsedDocumentsRemembered);
        var first = await store.GetAsync(ids[0]);
        Assert.Equal(ids[0], first!.Id);
        Assert.Same(first, await store.GetAsync(ids[0]));
        Assert.Equal(2, store.ParsedDocumentsRemembered);
    }

    /// <summary>
    /// The case database keeps its connections (the writer's and the reading ones, their statements prepared) open while
    /// any store or ledger uses the file and closes them when the last of them is disposed; disposing one twice counts
    /// once. Seen in the process's open files (Linux); SQLite may hold more than one descriptor of a file for one
    /// connection, so only none or some is told.
    /// </summary>
    [Fact]
    public async Task WriterConnection_IsKeptWhileTheFileIsUsed_AndClosedWithItsLastUser()
    {
        var path = Path.Combine(_folder, "kept.db");
        var store = new SqliteCaseStore(path);
        var ledger = new SqliteStepCommandLedger(path);
        var referral = Sample.Referral("REF-K1", at: T0);
        await store.ReceiveReferralAsync(referral, EngagementCase.Receive(EngagementId.New(Guid.NewGuid()), referral, T0));
        await ledger.MarkRaisedAsync(EngagementId.New(Guid.NewGuid()), "step");
        Assert.NotEqual(0, OpenHandlesOn(path));

        store.Dispose();
        store.Dispose();
        Assert.NotEqual(0, OpenHandlesOn(path));

        ledger.Dispose();
        Assert.Equal(0, OpenHandlesOn(path));

        using var again = new SqliteCaseStore(path); // a new user of the file writes on a new connection
        var next = Sample.Referral("REF-K2", memberNumber: "KEPT2", at: T0);
        Assert.Equal(ReferralIntakeKind.Created, (await again.ReceiveReferralAsync(next, EngagementCase.Receive(EngagementId.New(Guid.NewGuid()), next, T0))).Kind);
        Assert.Equal(2, (await again.ListOpenAsync()).Count);
    }

    private static int OpenHandlesOn(string path) =>
        Directory.GetFiles("/proc/self/fd").Count(fd =>
        {
            try
            {
                return File.ResolveLinkTarget(fd, returnFinalTarget: false)?.FullName == path;
            }
            catch (IOException)
            {
                return false; // closed meanwhile
            }
        });

    /// <summary>
    /// A read while another connection holds the file exclusively waits for the lock, as reads through Microsoft.Data.Sqlite
    /// always did (SQLite's own API, which reads documents without copying them, answers SQLITE_BUSY at once).
    /// </summary>
    [Fact]
    public async Task Get_WhileTheFileIsLockedExclusively_WaitsForTheLockAndAnswers()
    {
        var id = await StartedCaseAsync();
        _store.Dispose(); // the last store of the file: its kept connections close
        using var fresh = new SqliteCaseStore(Path.Combine(_folder, "cases.db"), parsedDocuments: 1);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools(); // no other connection is open: the next one can lock the file
        await using var holder = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(_folder, "cases.db")};Pooling=False");
        await holder.OpenAsync();
        await using (var exclusive = holder.CreateCommand())
        {
            exclusive.CommandText = "PRAGMA locking_mode=EXCLUSIVE; BEGIN EXCLUSIVE;";
            await exclusive.ExecuteNonQueryAsync();
        }

        var read = Task.Run(() => fresh.GetAsync(id));
        await Task.Delay(TimeSpan.FromMilliseconds(300)); // the lock is held this long: the read must still be waiting
        Assert.False(read.IsCompleted, read.IsFaulted ? read.Exception!.InnerException!.Message : "answered while the file was locked");
        await using (var release = holder.CreateCommand())
        {
            release.CommandText = "COMMIT;";
            await release.ExecuteNonQueryAsync();
        }

        await holder.CloseAsync();
        Assert.Equal(id, (await read.WaitAsync(TimeSpan.FromSeconds(30)))!.Id);
    }

    /// <summary>
    /// A save compares with what is on disk, not with the document the store remembers: after the stored head was changed
    /// behind the store's back (the ETag kept), a save that appends to the remembered timeline no longer reaches the
    /// stored head and is refused; nothing is written.
    /// </summary>
    [Fact]
    public async Task Save_AfterTheStoredHeadChangedOnDisk_IsRefused()
    {
        var id = await StartedCaseAsync();
        var read = (await _store.GetAsync(id))!;
        await TimelineTampering.InSqliteAsync(Path.Combine(_folder, "cases.db"), id,
            t => [.. t.Take(t.Count - 1), t[^1] with { Hash = new string('a', 64) }]);

        var refused = await Assert.ThrowsAsync<TimelineRewriteRefusedException>(() =>
            _store.SaveAsync(read.Note(T0.AddDays(1), Actor.System, TimelineEntryKind.ReminderSent), "after-tamper"));

        Assert.Equal(TimelineFindingKind.Rewritten, refused.Finding!.Kind);
        Assert.False(await _store.HasAppliedAsync(id, "after-tamper"));
        Assert.Equal(new string('a', 64), (await _store.GetAsync(id))!.Timeline[^1].Hash);
    }

    private async Task<EngagementId> StartedCaseAsync()
    {
        var referral = Sample.Referral(at: T0);
        var id = EngagementId.New(Guid.NewGuid());
        await _store.ReceiveReferralAsync(referral, EngagementCase.Receive(id, referral, T0));
        var saved = await _store.SaveAsync((await _store.GetAsync(id))!.Start(Sample.Clinician, T0.AddDays(7), T0.AddDays(180), T0), "start");
        Assert.Equal(CaseSaveOutcome.Saved, saved.Outcome);
        return id;
    }

    private Task<ReferralIntake> Receive(Mets.Domain.Referrals.Referral referral) =>
        _store.ReceiveReferralAsync(referral, EngagementCase.Receive(EngagementId.New(Guid.NewGuid()), referral, T0));

    public void Dispose()
    {
        _store.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }
}
