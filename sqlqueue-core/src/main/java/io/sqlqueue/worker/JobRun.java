package io.sqlqueue.worker;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

import io.sqlqueue.Job;
import io.sqlqueue.JobEventListener.Outcome;

/**
 * One run of a job by {@link JobWorker#drain()}: the job as it was claimed, and what the run ended in.
 *
 * <pre>{@code
 * List<JobRun> runs = worker.drain();
 * assertThat(runs).extracting(JobRun::outcome).containsExactly(Outcome.SUCCEEDED);
 * }</pre>
 *
 * @param job the job as claimed for this run: its {@code attempt} is this run's, its state RUNNING
 * @param outcome what the run ended in
 * @param recorded whether the outcome was written; {@code false} when the job was changed under the run (killed
 * by hand, say), so that the guard on its attempt left it as it was
 * @param error the handler's failure, or {@code null} when it returned
 * @param execution how long the handler ran
 */
public record JobRun(Job job, Outcome outcome, boolean recorded, @Nullable Throwable error, Duration execution) {

	/** The job's id. */
	public long id() {
		return this.job.id();
	}

	/** The job's type. */
	public String type() {
		return this.job.type();
	}

}
