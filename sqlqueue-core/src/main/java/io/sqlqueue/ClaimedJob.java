package io.sqlqueue;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

import io.sqlqueue.dialect.Completion;
import io.sqlqueue.dialect.JobRef;

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
public final class ClaimedJob {

	private final JdbcJobQueue queue;

	private final Job job;

	private final JobRef ref;

	ClaimedJob(JdbcJobQueue queue, Job job) {
		this.queue = queue;
		this.job = job;
		this.ref = new JobRef(job.id(), job.attempt());
	}

	/** The job as claimed: RUNNING, with this claim's attempt. */
	public Job job() {
		return this.job;
	}

	/** The job id. */
	public long id() {
		return this.job.id();
	}

	/** The attempt this claim holds, starting at 1: the fencing token of every outcome. */
	public int attempt() {
		return this.job.attempt();
	}

	/**
	 * The payload bound to {@code type}.
	 * @throws PayloadCodecException when the stored JSON does not fit {@code type}; {@link #kill(String)}
	 * the job with the message, as a worker would
	 */
	public <T> T payload(Class<T> type) {
		return type.cast(this.queue.codec().decode(this.job.payload(), type));
	}

	/** Records success: SUCCEEDED, and jobs waiting for this one become READY. */
	public boolean complete() {
		Completion completion = new Completion(this.ref, null, null);
		return fenced(this.queue.dialect().jobSetSucceededMany(List.of(completion)).contains(this.id()));
	}

	/**
	 * Records a failure: READY again after {@code delay}, or DEAD when this was the last attempt allowed.
	 * @param reason the error kept in {@code last_error}
	 */
	public boolean retry(Duration delay, String reason) {
		Objects.requireNonNull(delay, "delay must not be null");
		if (delay.isNegative()) {
			throw new IllegalArgumentException("delay must not be negative, was " + delay);
		}
		if (this.job.isLastAttempt()) {
			return fenced(this.queue.dialect().jobSetDeadIfRunning(this.ref, this.job.outOfAttempts(reason), null));
		}
		return fenced(this.queue.dialect().jobSetRetryIfRunning(this.ref, delay, reason, null));
	}

	/** Records a permanent failure: DEAD at once with {@code reason}, whatever attempts are left. */
	public boolean kill(String reason) {
		if (reason == null || reason.isBlank()) {
			throw new IllegalArgumentException("A reason is required to kill job " + id());
		}
		return fenced(this.queue.dialect().jobSetDeadIfRunning(this.ref, reason, null));
	}

	/** Gives the job back unprocessed: READY at once for any worker; the attempt still counts. */
	public boolean release() {
		return fenced(this.queue.dialect().jobReleaseIfRunning(this.ref, "Released by its claimer"));
	}

	/** Extends the lease to {@code lease} from now (database clock), for work that takes longer. */
	public boolean extendLease(Duration lease) {
		Objects.requireNonNull(lease, "lease must not be null");
		if (lease.isNegative() || lease.isZero()) {
			throw new IllegalArgumentException("lease must be positive, was " + lease);
		}
		return fenced(!this.queue.dialect().jobExtendLeases(List.of(this.ref), lease).isEmpty());
	}

	private boolean fenced(boolean changed) {
		if (!changed) {
			this.queue.events().staleOutcomeIgnored(id(), attempt());
		}
		return changed;
	}

	@Override
	public String toString() {
		return "ClaimedJob[id=" + id() + ", type=" + this.job.type() + ", attempt=" + attempt() + "]";
	}

}
