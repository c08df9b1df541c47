package io.sqlqueue;

import java.time.Duration;

/**
 * A job claimed by hand with {@link JdbcJobQueue#claim(String, int, Duration)}, for code that pulls jobs
 * itself instead of registering handlers with a worker. The caller owns the job until its lease runs
 * out and records the outcome with exactly one of {@link #complete()}, {@link #retry(Duration, String)},
 * {@link #kill(String)} or {@link #release()}:
 *
 * <pre>{@code
 * for (ClaimedJob claimed : jobs.claim("mail", 10, Duration.ofMinutes(1))) {
 *     try {
 *         mailer.send(claimed.payload(SendEmail.class));
 *         claimed.complete();
 *     }
 *     catch (MailException ex) {
 *         claimed.retry(Duration.ofSeconds(30), ex.toString());
 *     }
 * }
 * }</pre>
 *
 * <p>Every method is fenced by the claim's attempt: once the lease has expired and the job was claimed
 * again (or killed or cancelled), the method changes nothing, returns {@code false} and reports
 * {@link JobEventListener#staleOutcomeIgnored(long, int)}.
 */
public interface ClaimedJob {

	/** The job as claimed: RUNNING, with this claim's attempt. */
	Job job();

	/** The job id. */
	default long id() {
		return job().id();
	}

	/** The attempt this claim holds, starting at 1: the fencing token of every outcome. */
	default int attempt() {
		return job().attempt();
	}

	/**
	 * The payload bound to {@code type}.
	 * @throws PayloadCodecException when the stored JSON does not fit {@code type}; {@link #kill(String)} the job
	 * with the message, as a worker would
	 */
	<T> T payload(Class<T> type);

	/** Records success: SUCCEEDED, and jobs waiting for this one become READY. */
	boolean complete();

	/**
	 * Records a failure: READY again after {@code delay}, or DEAD when this was the last attempt allowed.
	 * @param reason the error kept in {@code last_error}
	 */
	boolean retry(Duration delay, String reason);

	/** Records a permanent failure: DEAD at once with {@code reason}, whatever attempts are left. */
	boolean kill(String reason);

	/** Gives the job back unprocessed: READY at once for any worker; the attempt still counts. */
	boolean release();

	/** Extends the lease to {@code lease} from now (database clock), for work that takes longer. */
	boolean extendLease(Duration lease);

}
