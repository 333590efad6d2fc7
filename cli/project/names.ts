// Names a generator derives from what the user typed ("user-profile", "UserProfile", "user_profile").

export interface Names {
  /** "UserProfile" */
  readonly pascal: string;
  /** "userProfile" */
  readonly camel: string;
  /** "user_profile" */
  readonly snake: string;
  /** "user-profile" */
  readonly kebab: string;
}

export function namesOf(input: string): Names | undefined {
  const words = input
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .split(/[^A-Za-z0-9]+/)
    .filter((w) => w !== "")
    .map((w) => w.toLowerCase());
  if (words.length === 0 || !/^[a-z]/.test(words[0] ?? "")) return undefined;
  const pascal = words.map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join("");
  return { pascal, camel: pascal.charAt(0).toLowerCase() + pascal.slice(1), snake: words.join("_"), kebab: words.join("-") };
}
