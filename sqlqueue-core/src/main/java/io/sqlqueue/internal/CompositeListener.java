package io.sqlqueue.internal;

import java.time.Duration;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.sqlqueue.Job;
import io.sqlqueue.JobEventListener;

/** Fans events out to listeners; a listener that throws is logged, never fails a job. */
public final class CompositeListener implements JobEventListener {

	private static final Logger logger = LoggerFactory.getLogger(CompositeListener.class);

	private final List<JobEventListener> listeners;

	/** Calls {@code listeners} in order; the list may change later (a copy-on-write list). */
	public CompositeListener(List<JobEventListener> listeners) {
		this.listeners = listeners;
	}

	@Override
	public void jobEnqueued(String queue, String type) {
		each((listener) -> listener.jobEnqueued(queue, type));
	}

	@Override
	public void jobStarted(Job job, Duration waited) {
		each((listener) -> listener.jobStarted(job, waited));
	}

	@Override
	public void jobFinished(Job job, Outcome outcome, Duration execution, Throwable error) {
		each((listener) -> listener.jobFinished(job, outcome, execution, error));
	}

	@Override
	public void jobsHeldBack(String queue, String limit, int jobs) {
		each((listener) -> listener.jobsHeldBack(queue, limit, jobs));
	}

	@Override
	public void staleOutcomeIgnored(long jobId, int attempt) {
		each((listener) -> listener.staleOutcomeIgnored(jobId, attempt));
	}

	private void each(java.util.function.Consumer<JobEventListener> call) {
		for (JobEventListener listener : this.listeners) {
			try {
				call.accept(listener);
			}
			catch (RuntimeException ex) {
				logger.warn("Job event listener {} failed", listener, ex);
			}
		}
	}

}
