package io.sqlqueue.spring.dashboard;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import jakarta.servlet.http.HttpServletRequest;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

import io.sqlqueue.JobQueue;
import io.sqlqueue.NodeStatus;
import io.sqlqueue.RecurringSchedule;
import io.sqlqueue.RecurringStatus;
import io.sqlqueue.spring.JobHandlerRegistry;
import io.sqlqueue.worker.JobWorker;

/**
 * The recurring schedules (as stored, with what this node's worker knows of them) and the worker nodes.
 */
@RestController
@RequestMapping("${sqlqueue.dashboard.path:/sqlqueue}/api")
class DashboardCluster {

	private final JobQueue jobs;

	private final ObjectProvider<JobHandlerRegistry> handlers;

	private final DashboardRequests requests;

	DashboardCluster(JobQueue jobs, ObjectProvider<JobHandlerRegistry> handlers, DashboardRequests requests) {
		this.jobs = jobs;
		this.handlers = handlers;
		this.requests = requests;
	}

	@GetMapping("/recurring")
	List<Map<String, Object>> recurring() {
		Map<String, RecurringSchedule> known = new TreeMap<>();
		workerSchedules().forEach((schedule) -> known.put(schedule.name(), schedule));
		Map<String, Map<String, Object>> rows = new TreeMap<>();
		for (RecurringStatus status : this.jobs.recurringSchedules()) {
			Map<String, Object> row = new LinkedHashMap<>();
			row.put("name", status.name());
			row.put("cron", status.cron());
			row.put("zone", status.zone());
			row.put("nextRunAt", DashboardReads.text(status.nextRunAt()));
			row.put("lastJobId", status.lastJobId());
			rows.put(status.name(), row);
		}
		known.forEach((name, schedule) -> {
			Map<String, Object> row = rows.computeIfAbsent(name, (key) -> {
				Map<String, Object> created = new LinkedHashMap<>();
				created.put("name", key);
				created.put("cron", schedule.cron());
				created.put("zone", schedule.zone().getId());
				created.put("nextRunAt", null);
				created.put("lastJobId", null);
				return created;
			});
			row.put("type", schedule.type());
			row.put("missedRuns", schedule.missedRuns().name());
		});
		rows.forEach((name, row) -> row.put("enqueueHere", known.containsKey(name)));
		return new ArrayList<>(rows.values());
	}

	@PostMapping("/recurring/{name}/enqueue")
	Map<String, Object> enqueueNow(@PathVariable String name, HttpServletRequest request) {
		this.requests.requireAction(request, "enqueue");
		RecurringSchedule schedule = workerSchedules().stream()
			.filter((candidate) -> candidate.name().equals(name))
			.findFirst()
			.orElseThrow(() -> new ResponseStatusException(HttpStatus.CONFLICT,
					"This node's worker does not run schedule '" + name + "': enqueue it from a node that does"));
		long id = this.jobs.enqueue(schedule.type(), schedule.payload(),
				schedule.options().withMetadata("sqlqueue.recurring", name));
		this.requests.logAction(request, "enqueued now", "schedule " + name, List.of(id));
		return Map.of("id", id);
	}

	@GetMapping("/nodes")
	List<Map<String, Object>> nodes() {
		List<Map<String, Object>> nodes = new ArrayList<>();
		for (NodeStatus node : this.jobs.nodes()) {
			Map<String, Object> row = new LinkedHashMap<>();
			row.put("id", node.id());
			row.put("alive", node.alive());
			row.put("version", node.version());
			row.put("startedAt", DashboardReads.text(node.startedAt()));
			row.put("lastSeenAt", DashboardReads.text(node.lastSeenAt()));
			Map<String, Object> queues = new TreeMap<>();
			node.queues().forEach((queue, slots) -> queues.put(queue,
					Map.of("concurrency", slots.concurrency(), "busy", slots.busy())));
			row.put("queues", queues);
			row.put("jobTypes", node.jobTypes().stream().sorted().toList());
			nodes.add(row);
		}
		return nodes;
	}

	private List<RecurringSchedule> workerSchedules() {
		JobHandlerRegistry registry = this.handlers.getIfAvailable();
		return (registry != null) ? registry.worker().map(JobWorker::schedules).orElse(List.of()) : List.of();
	}

}
