package io.sqlqueue.internal;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

import io.sqlqueue.ClaimedJob;
import io.sqlqueue.Job;
import io.sqlqueue.internal.store.JobRef;
import io.sqlqueue.internal.store.StateChange;

/**
 * A job claimed by hand, whose outcome its claimer writes at once, each through one statement guarded by the
 * claim's attempt.
 */
public final class HandClaim implements ClaimedJob {

	private final QueueServices services;

	private final Job job;

	private final JobRef ref;

	public HandClaim(QueueServices services, Job job) {
		this.services = services;
		this.job = job;
		this.ref = new JobRef(job.id(), job.attempt());
	}

	@Override
	public Job job() {
		return this.job;
	}

	@Override
	public <T> T payload(Class<T> type) {
		return type.cast(this.services.codec().decode(this.job.payload(), type));
	}

	@Override
	public boolean complete() {
		return write(StateChange.succeeded(this.ref, null, null));
	}

	@Override
	public boolean retry(Duration delay, String reason) {
		Objects.requireNonNull(delay, "delay must not be null");
		if (delay.isNegative()) {
			throw new IllegalArgumentException("delay must not be negative, was " + delay);
		}
		if (this.job.isLastAttempt()) {
			return write(StateChange.dead(this.ref, this.job.outOfAttempts(reason), null).withFailure(failure(reason)));
		}
		return write(StateChange.retry(this.ref, delay.toMillis(), reason, null).withFailure(failure(reason)));
	}

	@Override
	public boolean kill(String reason) {
		if (reason == null || reason.isBlank()) {
			throw new IllegalArgumentException("A reason is required to kill job " + id());
		}
		return write(StateChange.dead(this.ref, reason, null).withFailure(failure(reason)));
	}

	/** A failed attempt as its claimer told it: the reason, no stack trace. */
	private StateChange.Failure failure(String reason) {
		return new StateChange.Failure(this.job.lockedBy(), (reason != null) ? reason : "Retried by its claimer", null);
	}

	@Override
	public boolean release() {
		return write(StateChange.retry(this.ref, 0, "Released by its claimer", null));
	}

	@Override
	public boolean extendLease(Duration lease) {
		Objects.requireNonNull(lease, "lease must not be null");
		if (lease.isNegative() || lease.isZero()) {
			throw new IllegalArgumentException("lease must be positive, was " + lease);
		}
		return fenced(!this.services.store().jobExtendLeaseIfRunningMany(List.of(this.ref), lease).isEmpty());
	}

	private boolean write(StateChange change) {
		StateChange member = change.inGroup(this.job.batchId(), this.job.step() != null);
		return fenced(this.services.store().jobSetStateIfRunningMany(List.of(member)).contains(this.ref));
	}

	private boolean fenced(boolean changed) {
		if (!changed) {
			this.services.events().staleOutcomeIgnored(id(), attempt());
		}
		return changed;
	}

	@Override
	public String toString() {
		return "ClaimedJob[id=" + id() + ", type=" + this.job.type() + ", attempt=" + attempt() + "]";
	}

}
