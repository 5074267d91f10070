/**
 * The armsr HTTP service ({@code armsr serve}): one loaded model and one engine shared by every
 * request, behind a small JSON API and a web page.
 *
 * <p>The parts, one job each: {@link io.armsr.server.ArmServer} holds the whole route table and
 * translates HTTP to calls and back, nothing more; {@link io.armsr.server.UpscaleRequest} reads a
 * request's parameters (the routing names are the library's {@link io.armsr.route.RoutingChoice},
 * the ones the command line's flags spell with {@code --}); {@link io.armsr.server.UpscaleService}
 * turns image bytes into image bytes with the core engine exactly as {@code armsr upscale} does;
 * {@link io.armsr.server.Admission} and its pure rules {@link io.armsr.server.SloPolicy} decide
 * which requests run, wait or are refused, so that a response comes within its deadline or a
 * refusal comes at once; {@link io.armsr.server.ServerMetrics} counts it all for Prometheus; {@link
 * io.armsr.server.EventStream} sends the progress of an any-time upscale as server-sent events;
 * {@link io.armsr.server.ApiError} is every refusal, always answered as {@code {"error",
 * "message"}}.
 */
package io.armsr.server;
