/**
 * Defaults of member administration. The admin routes take no module options (their guard is the
 * `admin` extra); these are the defaults of their queries and of `MembersService`'s.
 */
export const ADMIN_DEFAULTS = {
  /** Members per page of `GET /members` and `MembersService.page()` when `limit` is not given. */
  pageSize: 50,
  /** Members `MembersService.list()` answers when `limit` is not given. */
  listLimit: 500,
} as const;
