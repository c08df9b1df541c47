package io.sqlqueue.spring.dashboard;

import jakarta.servlet.http.HttpServletRequest;

/**
 * Decides, per request, whether the dashboard offers and accepts actions (pause, retry, cancel, delete, ...).
 * Who may read the dashboard at all is the application's filter chain's decision; this tells read-only users from
 * those who may act. A bean of this type replaces the default, which lets every user act when Spring Security is
 * present and nobody otherwise unless {@code sqlqueue.dashboard.allow-unsecured-actions} is set.
 *
 * <pre>{@code
 * @Bean
 * DashboardAccess dashboardAccess() {
 *     return (request, action) -> request.isUserInRole("OPS");
 * }
 * }</pre>
 *
 * {@code sqlqueue.dashboard.read-only=true} turns every action off whatever this decides.
 */
@FunctionalInterface
public interface DashboardAccess {

	/**
	 * Whether the user of {@code request} may take {@code action}.
	 * @param action what is asked: {@code pause}, {@code resume}, {@code limits}, {@code retry}, {@code cancel} (a
	 * job, or a batch or workflow), {@code kill}, {@code delete}, {@code replay} or {@code enqueue}; {@code any} when
	 * the page asks whether to show actions at all
	 */
	boolean mayAct(HttpServletRequest request, String action);

}
