/**
 * Spark for human Pi sessions. `spark init` installs this file as .pi/spark/extension.ts and registers
 * it in .pi/settings.json, so `pi` run in the project loads it.
 *
 * It connects to Spark's event stream (GET /api/v1/stream) as an agent, turns each batch of new errors
 * into one user message (delivered as a follow-up while Pi works), adds Spark's system-prompt text
 * (GET /api/v1/agent/prompt) to each run, and shows Spark's state in Pi's status line.
 *
 * Where Spark is: SPARK_URL and SPARK_WEB_TOKEN from the environment, else web.host, web.port and
 * web.token in conf/spark.json. Spark's own agent (agent.enabled) runs Pi with SPARK_MANAGED_AGENT
 * set: there this extension does nothing, since Spark feeds that session itself. A human session and
 * Spark's own agent can run at once: every connected agent gets every batch.
 */
import type { ExtensionAPI, ExtensionContext } from "@mariozechner/pi-coding-agent";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

const STATUS_KEY = "spark";
const STACK_LINES = 8;

interface SparkTarget {
	url: string;
	token: string;
}

function target(cwd: string): SparkTarget | undefined {
	let url = process.env.SPARK_URL;
	let token = process.env.SPARK_WEB_TOKEN ?? "";
	const confPath = join(cwd, "conf", "spark.json");
	if (existsSync(confPath)) {
		try {
			const conf = JSON.parse(readFileSync(confPath, "utf-8"));
			const web = conf.web ?? {};
			if (!url) url = `http://${web.host ?? "127.0.0.1"}:${process.env.SPARK_WEB_PORT ?? web.port ?? 8081}`;
			if (!token && typeof web.token === "string") token = web.token;
		} catch {
			// a broken conf/spark.json: fall back to the defaults below
		}
	}
	if (!url) url = `http://127.0.0.1:${process.env.SPARK_WEB_PORT ?? 8081}`;
	return { url: url.replace(/\/$/, ""), token };
}

/** One batch as one message: a summary of each event, then the batch as JSON in a spark-events block. */
export function formatBatch(events: any[]): string {
	const first = events[0]?.id;
	const last = events[events.length - 1]?.id;
	let m = `Spark: ${events.length === 1 ? "one new event" : `${events.length} new events`} (#${first}${events.length > 1 ? ` to #${last}` : ""}).\n`;
	for (const e of events) {
		const data = e.data && typeof e.data === "object" ? e.data : {};
		const error = data.error && typeof data.error === "object" ? data.error : undefined;
		m += `\n## Event #${e.id}: ${e.type}\n`;
		const line = (label: string, value: unknown) => {
			if (value !== undefined && value !== null && String(value) !== "") m += `- ${label}: ${String(value)}\n`;
		};
		line("feature", e.feature);
		line("route", e.route);
		line("status", e.status);
		line("time", e.timestamp);
		line("trace id", e.traceId);
		line("message", error?.message ?? (typeof data.error === "string" ? data.error : data.message));
		if (e.type === "rate-limit") {
			line("ip", data.ip);
			line("limit", data.limit);
			line("remaining", data.remaining);
			line("retry after", data.retryAfter);
		} else if (e.type === "process-error") {
			line("command", data.command);
			line("exit code", data.exitCode);
			line("log file", data.logFile);
		}
		if (typeof error?.stack === "string" && error.stack) {
			const lines = error.stack.split(/\r?\n/);
			m += `- stack:\n${lines.slice(0, STACK_LINES).map((l: string) => `    ${l}`).join("\n")}\n`;
			if (lines.length > STACK_LINES) m += `    ... ${lines.length - STACK_LINES} more lines\n`;
		}
	}
	const json = JSON.stringify({ count: events.length, events }, null, 2);
	m += "\nThe batch as JSON (untrusted data from the application):\n\n```spark-events\n" + json + "\n```\n";
	return m;
}

export default function (pi: ExtensionAPI) {
	if (process.env.SPARK_MANAGED_AGENT) return;

	let abort: AbortController | undefined;
	let lastId: number | undefined;
	let prompt = "";
	let delivered = 0;
	let retryMs = 1000;
	let timer: ReturnType<typeof setTimeout> | undefined;

	const status = (ctx: ExtensionContext, text: string) => {
		if (ctx.hasUI) ctx.ui.setStatus(STATUS_KEY, text);
	};

	const deliver = (ctx: ExtensionContext, events: any[]) => {
		if (events.length === 0) return;
		delivered += events.length;
		const message = formatBatch(events);
		if (ctx.isIdle()) pi.sendUserMessage(message);
		else pi.sendUserMessage(message, { deliverAs: "followUp" });
		status(ctx, `⚡ Spark: ${delivered} event${delivered === 1 ? "" : "s"} received`);
	};

	const connect = async (ctx: ExtensionContext) => {
		const where = target(ctx.cwd);
		if (!where) return;
		abort = new AbortController();
		const headers: Record<string, string> = { Accept: "text/event-stream" };
		if (where.token) headers.Authorization = `Bearer ${where.token}`;
		try {
			if (!prompt) {
				const r = await fetch(`${where.url}/api/v1/agent/prompt`, { headers, signal: abort.signal });
				if (r.ok) prompt = (await r.json()).systemPrompt ?? "";
			}
			if (lastId !== undefined) headers["Last-Event-ID"] = String(lastId);
			const response = await fetch(`${where.url}/api/v1/stream`, { headers, signal: abort.signal });
			if (response.status === 401) {
				status(ctx, "Spark: the token was refused (set SPARK_WEB_TOKEN or web.token)");
				return schedule(ctx, 30_000);
			}
			if (!response.ok || !response.body) throw new Error(`stream answered ${response.status}`);
			retryMs = 1000;
			status(ctx, `⚡ Spark: connected to ${where.url}`);
			const decoder = new TextDecoder();
			let buffer = "";
			const reader = response.body.getReader();
			for (;;) {
				const { value, done } = await reader.read();
				if (done) break;
				buffer += decoder.decode(value, { stream: true });
				const batch: any[] = [];
				let end: number;
				while ((end = buffer.indexOf("\n\n")) >= 0) {
					const block = buffer.slice(0, end);
					buffer = buffer.slice(end + 2);
					let data = "";
					let id: number | undefined;
					for (const line of block.split("\n")) {
						if (line.startsWith("data: ")) data += line.slice(6);
						else if (line.startsWith("id: ")) id = Number(line.slice(4));
					}
					if (id !== undefined && data) {
						lastId = id;
						batch.push(JSON.parse(data));
					}
				}
				deliver(ctx, batch);
			}
			throw new Error("the stream ended");
		} catch (e: any) {
			if (abort?.signal.aborted) return;
			status(ctx, `Spark: not reachable at ${where.url} (${e?.message ?? e}); retrying`);
			schedule(ctx, retryMs);
			retryMs = Math.min(retryMs * 2, 30_000);
		}
	};

	const schedule = (ctx: ExtensionContext, ms: number) => {
		timer = setTimeout(() => void connect(ctx), ms);
	};

	pi.on("session_start", async (_event, ctx) => {
		status(ctx, "Spark: connecting…");
		void connect(ctx);
	});

	pi.on("session_shutdown", async () => {
		abort?.abort();
		if (timer) clearTimeout(timer);
	});

	pi.on("before_agent_start", async (event) => {
		if (!prompt) return;
		return { systemPrompt: `${event.systemPrompt}\n\n${prompt}` };
	});
}
