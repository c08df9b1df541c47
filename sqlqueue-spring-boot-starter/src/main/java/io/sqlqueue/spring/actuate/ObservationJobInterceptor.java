package io.sqlqueue.spring.actuate;

import java.util.List;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;

import org.springframework.core.Ordered;

import io.sqlqueue.JobContext;
import io.sqlqueue.JobInterceptor;
import io.sqlqueue.JobRequest;

/**
 * Wraps each enqueue call ({@code sqlqueue.enqueue}) and each handler run ({@code sqlqueue.process},
 * tagged queue and type) in a Micrometer {@link Observation}, so tracing and observation handlers
 * see them. Runs inside the MDC interceptor and outside the application's interceptors.
 */
public class ObservationJobInterceptor implements JobInterceptor, Ordered {

	/** Observation of one handler run. */
	public static final String PROCESS = "sqlqueue.process";

	/** Observation of one enqueue call. */
	public static final String ENQUEUE = "sqlqueue.enqueue";

	private final ObservationRegistry registry;

	public ObservationJobInterceptor(ObservationRegistry registry) {
		this.registry = registry;
	}

	@Override
	public List<Long> aroundEnqueue(List<JobRequest> jobs, EnqueueChain chain) {
		Observation observation = Observation.createNotStarted(ENQUEUE, this.registry)
			.contextualName("sqlqueue enqueue")
			.lowCardinalityKeyValue("type", (jobs.size() == 1) ? jobs.get(0).type() : "batch");
		return observation.observe(() -> chain.proceed(jobs));
	}

	@Override
	public void aroundProcess(JobContext job, Object payload, ProcessChain chain) throws Exception {
		Observation observation = Observation.createNotStarted(PROCESS, this.registry)
			.contextualName("sqlqueue process " + job.type())
			.lowCardinalityKeyValue("queue", job.queue())
			.lowCardinalityKeyValue("type", job.type())
			.highCardinalityKeyValue("job.id", Long.toString(job.id()))
			.highCardinalityKeyValue("job.attempt", Integer.toString(job.attempt()));
		observation.observeChecked(chain::proceed);
	}

	@Override
	public int getOrder() {
		return Ordered.HIGHEST_PRECEDENCE + 10;
	}

}
