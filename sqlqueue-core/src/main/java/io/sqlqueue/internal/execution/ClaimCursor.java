package io.sqlqueue.internal.execution;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.LongSupplier;

import io.sqlqueue.Job;
import io.sqlqueue.internal.store.ClaimParams;

/**
 * Where one worker's claims of one queue start on PostgreSQL. A claim reads the claim index from the front of the
 * queue; while another session holds an old snapshot (a forgotten {@code REPEATABLE READ} report), vacuum can
 * remove none of the index entries of the jobs claimed since, and every claim visits them all before it finds a
 * due job: at 2,000 jobs a second, claims took tens of milliseconds after a minute and the drain fell to a third.
 * So when a claim from the front is slow and there is more due than it took, the next claims start after the last
 * job it took, at that job's priority, which costs what the claim returns; one claim a second still starts at the
 * front, and so does the next claim once the jobs of that priority after the position run out. Only while claims
 * are slow may a job due earlier than the position (enqueued in a transaction that committed late) or of a higher
 * priority wait up to that second longer.
 */
final class ClaimCursor {

	/** A claim from the front that takes longer than this, with a full batch, moves the next claims on. */
	static final long SLOW_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

	/** How long claims start after the position before one starts at the front again. */
	static final long FRONT_EVERY_NANOS = TimeUnit.SECONDS.toNanos(1);

	private final LongSupplier nanoTime;

	private ClaimParams.After after;

	private long frontAt;

	ClaimCursor() {
		this(System::nanoTime);
	}

	/** A cursor that times claims with {@code nanoTime} (tests give one that moves only when they say so). */
	ClaimCursor(LongSupplier nanoTime) {
		this.nanoTime = nanoTime;
	}

	/** Claims through {@code claims}, from the front or after the last position. */
	List<Job> claim(ClaimParams params, Function<ClaimParams, List<Job>> claims) {
		if (this.after != null && this.nanoTime.getAsLong() - this.frontAt < FRONT_EVERY_NANOS) {
			List<Job> jobs = claims.apply(params.after(this.after));
			if (jobs.size() == params.limit()) {
				this.after = positionOf(jobs);
				return jobs;
			}
			this.after = null;
			if (!jobs.isEmpty()) {
				return jobs;
			}
		}
		long start = this.nanoTime.getAsLong();
		List<Job> jobs = claims.apply(params);
		this.frontAt = this.nanoTime.getAsLong();
		boolean slow = this.frontAt - start > SLOW_NANOS;
		this.after = (slow && !jobs.isEmpty() && jobs.size() == params.limit()) ? positionOf(jobs) : null;
		return jobs;
	}

	/** Whether the next claim starts after a position, for tests. */
	boolean movedOn() {
		return this.after != null;
	}

	private static ClaimParams.After positionOf(List<Job> jobs) {
		// the claims return their jobs in claim order
		Job last = jobs.get(jobs.size() - 1);
		return new ClaimParams.After(last.priority(), last.runAt(), last.id());
	}

}
