package io.sqlqueue.internal.execution;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.sqlqueue.EnqueueOptions;
import io.sqlqueue.Job;
import io.sqlqueue.JobContext;
import io.sqlqueue.JobGroup;
import io.sqlqueue.JobRequest;
import io.sqlqueue.internal.store.JobRef;
import io.sqlqueue.internal.store.JsonText;

/** One run of a job on this node: the handler's {@link JobContext}. */
final class RunningJob implements JobContext {

	/** Log lines kept per job, newest last. */
	static final int MAX_LOG_LINES = 100;

	/** Characters kept per log line. */
	static final int MAX_LOG_LINE_LENGTH = 2000;

	/** Bytes of JSON a result may take. */
	static final int MAX_RESULT_BYTES = 64 * 1024;

	final Job job;

	final JobRef ref;

	private final QueueRunner owner;

	/** When its lease was last extended or granted (the worker's clock, epoch milliseconds). */
	volatile long leaseRenewedAt;

	volatile long leaseMillis;

	/** Whether the handler asked for its lease to be extended at the next heartbeat. */
	volatile boolean heartbeatRequested;

	volatile boolean cancelRequested;

	volatile boolean leaseLost;

	/** Given back by a stopping worker: its outcome is no longer recorded here. */
	volatile boolean abandoned;

	/** Whether a handler thread took it; a prefetched run waits for one. */
	volatile boolean started;

	volatile Thread thread;

	/** How long the handler ran, once it returned. */
	volatile long executionNanos;

	/** Whether its handler ran past its timeout and was interrupted. */
	volatile boolean timedOut;

	/** Whether its outcome was written once settled; {@code false} when its lease was lost meanwhile. */
	volatile boolean applied;

	/** The delay the handler asked for with {@link #snooze(Duration)}, or {@code null}. */
	private volatile Duration snoozedFor;

	private final List<String> newLogs = new ArrayList<>();

	private volatile String result;

	private final List<JobRequest> followUps = new ArrayList<>();

	RunningJob(Job job, QueueRunner owner, long leaseMillis) {
		this.job = job;
		this.ref = new JobRef(job.id(), job.attempt());
		this.owner = owner;
		this.leaseRenewedAt = owner.clock().millis();
		this.leaseMillis = leaseMillis;
	}

	@Override
	public long id() {
		return this.job.id();
	}

	@Override
	public String type() {
		return this.job.type();
	}

	@Override
	public String queue() {
		return this.job.queue();
	}

	@Override
	public int attempt() {
		return this.job.attempt();
	}

	@Override
	public int maxAttempts() {
		return this.job.maxAttempts();
	}

	@Override
	public Map<String, String> metadata() {
		return this.job.metadata();
	}

	@Override
	public boolean extendLease(Duration duration) {
		if (duration == null || duration.toMillis() < 1000) {
			throw new IllegalArgumentException("A lease must be at least 1s, was " + duration);
		}
		return this.owner.leases().extendNow(this, duration);
	}

	@Override
	public boolean heartbeat() {
		this.heartbeatRequested = true;
		if (millisSinceRenewal() > this.leaseMillis / 2) {
			// the batched heartbeat may not come in time: extend now
			return this.owner.leases().extendNow(this, this.owner.settings().lease());
		}
		return !this.leaseLost;
	}

	@Override
	public boolean isCancellationRequested() {
		return this.cancelRequested;
	}

	@Override
	public boolean isLeaseLost() {
		return this.leaseLost;
	}

	@Override
	public void log(String line) {
		String text = String.valueOf(line);
		if (text.length() > MAX_LOG_LINE_LENGTH) {
			text = text.substring(0, MAX_LOG_LINE_LENGTH) + "…";
		}
		synchronized (this.newLogs) {
			this.newLogs.add(text);
			if (this.newLogs.size() > MAX_LOG_LINES) {
				this.newLogs.remove(0);
			}
		}
	}

	@Override
	public void setResult(Object result) {
		if (result == null) {
			this.result = null;
			return;
		}
		String json = this.owner.codec().encode(result);
		int bytes = json.getBytes(StandardCharsets.UTF_8).length;
		if (bytes > MAX_RESULT_BYTES) {
			throw new IllegalArgumentException("Result of job " + id() + " is " + bytes + " bytes of JSON, over the limit of "
					+ MAX_RESULT_BYTES + " bytes");
		}
		this.result = json;
	}

	@Override
	public void enqueueOnSuccess(String type, Object payload, EnqueueOptions options) {
		JobRequest request = new JobRequest(type, payload, options);
		this.owner.codec().encode(payload);
		synchronized (this.followUps) {
			this.followUps.add(request);
		}
	}

	@Override
	public void snooze(Duration delay) {
		if (delay == null || delay.isNegative()) {
			throw new IllegalArgumentException("the snooze delay must not be null or negative, was " + delay);
		}
		this.snoozedFor = delay;
	}

	@Override
	public Optional<JobGroup> group() {
		return this.owner.node().services().groups().groupOf(this.job);
	}

	@Override
	public <T> T dependencyResult(String step, Class<T> type) {
		return this.owner.node().services().groups().dependencyResult(this.job, step, type);
	}

	@Override
	public long addToBatch(String type, Object payload, EnqueueOptions options) {
		return addAllToBatch(List.of(new JobRequest(type, payload, options))).get(0);
	}

	@Override
	public List<Long> addAllToBatch(List<JobRequest> requests) {
		if (this.job.batchId() == null) {
			throw new IllegalStateException("Job " + id() + " is not a member of a batch: it has none to add jobs to");
		}
		return this.owner.node().services().groups().addToBatch(this.job.batchId(), requests);
	}

	/** The delay the handler snoozed the job for, or {@code null}. */
	Duration snoozedFor() {
		return this.snoozedFor;
	}

	List<JobRequest> followUps() {
		synchronized (this.followUps) {
			return List.copyOf(this.followUps);
		}
	}

	String resultJson() {
		return this.result;
	}

	/** The stored log plus this run's lines as JSON, or {@code null} when this run logged nothing. */
	String logsJson() {
		synchronized (this.newLogs) {
			if (this.newLogs.isEmpty()) {
				return null;
			}
			List<String> all = new ArrayList<>(this.job.logs());
			all.addAll(this.newLogs);
			if (all.size() > MAX_LOG_LINES) {
				all = all.subList(all.size() - MAX_LOG_LINES, all.size());
			}
			return JsonText.writeList(all);
		}
	}

	/** Milliseconds since the lease was last renewed. */
	long millisSinceRenewal() {
		return this.owner.clock().millis() - this.leaseRenewedAt;
	}

	@Override
	public String toString() {
		return "job " + this.job.id() + " (" + this.job.type() + ", attempt " + this.job.attempt() + ")";
	}

}
