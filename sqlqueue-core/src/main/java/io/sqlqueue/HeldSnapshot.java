package io.sqlqueue;

import java.time.Duration;
import java.time.Instant;

/**
 * The database session holding the oldest snapshot on PostgreSQL: while it stays open, no vacuum can remove the
 * row versions that claims, completions and deletions leave behind in the job table (or any other), so they pile
 * up and every claim reads past them. Typically a forgotten {@code REPEATABLE READ} report, a session left
 * {@code idle in transaction}, or a long migration.
 *
 * <pre>{@code
 * import io.sqlqueue.HeldSnapshot;
 *
 * queue.oldestSnapshot()
 *     .filter((held) -> held.age().compareTo(Duration.ofMinutes(5)) > 0)
 *     .ifPresent((held) -> log.warn("pid {} ({}) holds back vacuum", held.pid(), held.applicationName()));
 * }</pre>
 *
 * @param pid the server process id of the holding session ({@code pg_terminate_backend(pid)} ends it)
 * @param applicationName the session's {@code application_name}, empty when it set none
 * @param state the session's state ({@code active}, {@code idle in transaction}, ...), or {@code null} when this
 * node's user may not see it (it needs {@code pg_read_all_stats} for other users' sessions)
 * @param since when its transaction (or its statement, outside one) began, by the database's clock
 * @param age how long that has been open, by the database's clock
 * @param queryStart when its current or last statement started, or {@code null} when not visible
 * @param transactionsBehind how many transactions have started since its snapshot was taken
 */
public record HeldSnapshot(int pid, String applicationName, String state, Instant since, Duration age,
		Instant queryStart, long transactionsBehind) {
}
