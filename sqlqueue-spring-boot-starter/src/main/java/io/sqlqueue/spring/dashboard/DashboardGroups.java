package io.sqlqueue.spring.dashboard;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.servlet.http.HttpServletRequest;

import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

import io.sqlqueue.JobGroup;
import io.sqlqueue.JobQueue;
import io.sqlqueue.JobState;

/**
 * A batch or workflow: its counts, members and callbacks (a workflow's steps with the steps they wait for, which
 * the page draws as a graph), and cancelling it, which the {@code cancel} action allows as it does for one job.
 */
@RestController
@RequestMapping("${sqlqueue.dashboard.path:/sqlqueue}/api/groups")
class DashboardGroups {

	private final JobQueue jobs;

	private final DashboardRequests requests;

	DashboardGroups(JobQueue jobs, DashboardRequests requests) {
		this.jobs = jobs;
		this.requests = requests;
	}

	@GetMapping("/{id}")
	Map<String, Object> group(@PathVariable long id, HttpServletRequest request) {
		JobGroup group = find(id);
		Map<String, Object> view = new LinkedHashMap<>();
		view.put("id", group.id());
		view.put("kind", group.kind().name());
		view.put("name", group.name());
		view.put("createdAt", DashboardReads.text(group.createdAt()));
		view.put("finishedAt", DashboardReads.text(group.finishedAt()));
		view.put("cancelled", group.cancelled());
		view.put("total", group.total());
		Map<String, Long> counts = new LinkedHashMap<>();
		for (JobState state : JobState.values()) {
			counts.put(state.name(), group.count(state));
		}
		view.put("counts", counts);
		view.put("members", group.members().stream().map(DashboardGroups::member).toList());
		view.put("moreMembers", group.total() > group.members().size());
		view.put("callbacks", group.callbacks().stream().map(DashboardGroups::member).toList());
		boolean open = !group.isFinished() && !group.cancelled();
		view.put("actions", (open && this.requests.mayAct(request, "cancel")) ? List.of("cancel") : List.of());
		return view;
	}

	@PostMapping("/{id}/cancel")
	Map<String, Object> cancel(@PathVariable long id, HttpServletRequest request) {
		this.requests.requireAction(request, "cancel");
		JobGroup group = find(id);
		int cancelled = this.jobs.cancelGroup(id);
		this.requests.logAction(request, "cancelled " + cancelled + " jobs of",
				group.kind().name().toLowerCase(java.util.Locale.ROOT) + " " + id + " (" + group.name() + ")", null);
		return Map.of("id", id, "done", cancelled);
	}

	private JobGroup find(long id) {
		return this.jobs.groups()
			.find(id)
			.orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND, "No batch or workflow has id " + id));
	}

	private static Map<String, Object> member(JobGroup.Member member) {
		Map<String, Object> view = new LinkedHashMap<>();
		view.put("id", member.jobId());
		view.put("step", member.step());
		view.put("type", member.type());
		view.put("state", member.state().name());
		view.put("after", new ArrayList<>(member.after()));
		view.put("error", (member.lastError() != null) ? DashboardReads.firstLine(member.lastError()) : null);
		return view;
	}

}
