/**
 * The GitHub REST calls of `npm run operations`, with the HTTP layer injected (tests pass a fake `fetch`). Only
 * GITHUB_TOKEN is needed: a pull request's branch and commit are made through the git refs and contents APIs, so a
 * workflow needs no push credentials. API: https://docs.github.com/en/rest (issues, pulls, git/refs, repos/contents).
 */
import { GitHubItem, operationsLabel } from "./decide";

export type Fetch = (
    url: string,
    init?: { method?: string; headers?: Record<string, string>; body?: string },
) => Promise<{
    status: number;
    ok: boolean;
    json(): Promise<unknown>;
    text(): Promise<string>;
}>;

export class GitHubError extends Error {
    constructor(
        message: string,
        readonly status: number,
    ) {
        super(message);
    }
}

interface RawItem {
    number: number;
    title: string;
    body: string | null;
    state: "open" | "closed";
    labels: ({ name: string } | string)[];
    pull_request?: unknown;
    head?: { ref: string };
}

function itemOf(raw: RawItem, pullRequest: boolean): GitHubItem {
    return {
        number: raw.number,
        title: raw.title,
        body: raw.body,
        state: raw.state,
        labels: raw.labels.map((label) => (typeof label === "string" ? label : label.name)),
        pullRequest,
        ...(raw.head?.ref !== undefined ? { headBranch: raw.head.ref } : {}),
    };
}

export class GitHub {
    private readonly api: string;

    constructor(
        /** owner/name, as GITHUB_REPOSITORY holds it */
        readonly repository: string,
        private readonly token: string,
        private readonly fetch: Fetch,
        api = "https://api.github.com",
    ) {
        this.api = api.replace(/\/$/, "");
    }

    private async call<T>(method: string, route: string, body?: unknown): Promise<T> {
        const response = await this.fetch(`${this.api}/repos/${this.repository}${route}`, {
            method,
            headers: {
                accept: "application/vnd.github+json",
                authorization: `Bearer ${this.token}`,
                "x-github-api-version": "2022-11-28",
                "user-agent": "m365-mail-oauth-operations",
                ...(body !== undefined ? { "content-type": "application/json" } : {}),
            },
            ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        });
        if (!response.ok) {
            const text = await response.text();
            throw new GitHubError(`GitHub ${method} ${route}: HTTP ${response.status} ${text.slice(0, 300)}`, response.status);
        }
        return (response.status === 204 ? undefined : await response.json()) as T;
    }

    /**
     * The items this tool made (its label, open and closed: a closed step is not proposed again), and every open pull
     * request with its head branch (one opened by hand from a step's branch counts too). At most 1,000 of each.
     */
    async items(): Promise<GitHubItem[]> {
        const labelled: GitHubItem[] = [];
        for (let page = 1; page <= 10; page++) {
            const batch = await this.call<RawItem[]>("GET", `/issues?labels=${operationsLabel}&state=all&per_page=100&page=${page}`);
            labelled.push(...batch.map((raw) => itemOf(raw, raw.pull_request !== undefined)));
            if (batch.length < 100) break;
        }
        const pulls: GitHubItem[] = [];
        for (let page = 1; page <= 10; page++) {
            const batch = await this.call<RawItem[]>("GET", `/pulls?state=open&per_page=100&page=${page}`);
            pulls.push(...batch.map((raw) => itemOf(raw, true)));
            if (batch.length < 100) break;
        }
        const byNumber = new Map(labelled.map((item) => [item.number, item]));
        for (const pull of pulls) byNumber.set(pull.number, { ...byNumber.get(pull.number), ...pull });
        return [...byNumber.values()].sort((a, b) => a.number - b.number);
    }

    async openIssue(title: string, body: string, labels: readonly string[]): Promise<number> {
        return (await this.call<{ number: number }>("POST", "/issues", { title, body, labels })).number;
    }

    async updateIssue(number: number, title: string, body: string): Promise<void> {
        await this.call("PATCH", `/issues/${number}`, { title, body });
    }

    async closeIssue(number: number, comment: string): Promise<void> {
        await this.call("POST", `/issues/${number}/comments`, { body: comment });
        await this.call("PATCH", `/issues/${number}`, { state: "closed", state_reason: "completed" });
    }

    /**
     * A pull request with one file changed: a branch from the default branch's head (kept when a run before made it),
     * the file written on it with one commit, the pull request, its label. The file on the default branch must be
     * the one the change was made from, or the change would undo someone's edit.
     */
    async openFilePullRequest(change: {
        title: string;
        body: string;
        labels: readonly string[];
        branch: string;
        path: string;
        content: string;
        commitMessage: string;
        /** The file the change was made from. */
        basedOn: string;
    }): Promise<number> {
        const repo = await this.call<{ default_branch: string }>("GET", "");
        const base = repo.default_branch;
        const head = await this.call<{ object: { sha: string } }>("GET", `/git/ref/heads/${base}`);
        const path = change.path.split("/").map(encodeURIComponent).join("/");
        const onBase = await this.call<{ sha: string; content: string }>("GET", `/contents/${path}?ref=${encodeURIComponent(base)}`);
        if (Buffer.from(onBase.content, "base64").toString("utf8") !== change.basedOn) {
            throw new Error(`${change.path} on ${base} differs from the one this run read (a newer commit?): run again on ${base}'s head`);
        }
        let fileSha = onBase.sha;
        try {
            await this.call("POST", "/git/refs", { ref: `refs/heads/${change.branch}`, sha: head.object.sha });
        } catch (error) {
            // 422: the branch exists (a run before made it and stopped before the pull request): write on it.
            if (!(error instanceof GitHubError && error.status === 422)) throw error;
            fileSha = (await this.call<{ sha: string }>("GET", `/contents/${path}?ref=${encodeURIComponent(change.branch)}`)).sha;
        }
        await this.call("PUT", `/contents/${path}`, {
            message: change.commitMessage,
            content: Buffer.from(change.content, "utf8").toString("base64"),
            sha: fileSha,
            branch: change.branch,
        });
        const pull = await this.call<{ number: number }>("POST", "/pulls", { title: change.title, body: change.body, head: change.branch, base });
        await this.call("POST", `/issues/${pull.number}/labels`, { labels: change.labels });
        return pull.number;
    }
}
