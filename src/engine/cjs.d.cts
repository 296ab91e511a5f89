declare const requireCjs: NodeJS.Require;
export = requireCjs;
