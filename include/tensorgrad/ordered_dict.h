// An insertion-ordered dictionary with libtorch's interface: items keep the order in which they
// were added (parameters print and save in definition order), and lookup by key throws a tg::Error
// naming the key when it is absent.
#pragma once

#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "tensorgrad/error.h"

namespace tg {

template <typename Key, typename Value>
class OrderedDict {
 public:
  class Item {
   public:
    Item(Key key, Value value) : pair_(std::move(key), std::move(value)) {}
    const Key& key() const { return pair_.first; }
    Value& value() { return pair_.second; }
    const Value& value() const { return pair_.second; }
    Value& operator*() { return pair_.second; }
    Value* operator->() { return &pair_.second; }
    const std::pair<Key, Value>& pair() const { return pair_; }

   private:
    std::pair<Key, Value> pair_;
  };

  OrderedDict() = default;
  explicit OrderedDict(std::string key_description) : key_description_(std::move(key_description)) {}

  Value& insert(Key key, Value value) {
    TG_CHECK(index_.find(key) == index_.end(), key_description_, " '", key, "' already defined");
    index_.emplace(key, items_.size());
    items_.emplace_back(std::move(key), std::move(value));
    return items_.back().value();
  }
  // Inserts or replaces.
  Value& insert_or_assign(Key key, Value value) {
    if (auto* v = find(key)) {
      *v = std::move(value);
      return *v;
    }
    return insert(std::move(key), std::move(value));
  }
  Value* find(const Key& key) {
    auto it = index_.find(key);
    return it == index_.end() ? nullptr : &items_[it->second].value();
  }
  const Value* find(const Key& key) const {
    auto it = index_.find(key);
    return it == index_.end() ? nullptr : &items_[it->second].value();
  }
  bool contains(const Key& key) const { return index_.count(key) != 0; }
  Value& operator[](const Key& key) {
    Value* v = find(key);
    TG_CHECK(v, key_description_, " '", key, "' is not defined");
    return *v;
  }
  const Value& operator[](const Key& key) const {
    const Value* v = find(key);
    TG_CHECK(v, key_description_, " '", key, "' is not defined");
    return *v;
  }
  Item& operator[](size_t i) { return items_.at(i); }
  const Item& operator[](size_t i) const { return items_.at(i); }

  size_t size() const { return items_.size(); }
  bool is_empty() const { return items_.empty(); }
  bool empty() const { return items_.empty(); }
  auto begin() { return items_.begin(); }
  auto end() { return items_.end(); }
  auto begin() const { return items_.begin(); }
  auto end() const { return items_.end(); }
  const std::vector<Item>& items() const { return items_; }
  std::vector<Key> keys() const {
    std::vector<Key> k;
    for (const auto& it : items_) k.push_back(it.key());
    return k;
  }
  std::vector<Value> values() const {
    std::vector<Value> v;
    for (const auto& it : items_) v.push_back(it.value());
    return v;
  }
  void clear() {
    items_.clear();
    index_.clear();
  }

 private:
  std::string key_description_ = "Key";
  std::vector<Item> items_;
  std::unordered_map<Key, size_t> index_;
};

}  // namespace tg
